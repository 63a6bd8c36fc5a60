"""Console routes of learning (in the shared "console" namespace). Each area lists its own routes in its own
module; this file only joins them."""

from . import assessment_urls, bank_urls, course_urls, exam_urls, study_urls, training_urls

urlpatterns = [
    *course_urls.console,
    *study_urls.console,
    *bank_urls.console,
    *exam_urls.console,
    *training_urls.console,
    *assessment_urls.console,
]

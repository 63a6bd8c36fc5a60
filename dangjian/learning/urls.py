"""Public routes of learning: the course catalogue on the portals, lessons, quizzes, exams, certificates and their
verification, training sessions. Each area lists its own routes in its own module; this file only joins them."""

from . import assessment_urls, bank_urls, course_urls, exam_urls, study_urls, training_urls

app_name = "learning"

urlpatterns = [
    *course_urls.public,
    *study_urls.public,
    *bank_urls.public,
    *exam_urls.public,
    *training_urls.public,
    *assessment_urls.public,
]

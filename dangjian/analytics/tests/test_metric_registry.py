"""Every usage metric the modules register is kept in the rollups, placed in a group of the summary page, and
defined (in Chinese) one click away; every rate divides two registered metrics."""

from django.utils import translation

from dangjian.core.registry import UsageMetric, UsageRate, entries, registry

GROUPS = {"interaction", "life", "learning", "publishing", "reach", "content"}

# The measures issue 16 lists, by group: each must exist as a kept metric.
EXPECTED = {
    "interaction": {
        "feedback.received",
        "feedback.accepted",
        "feedback.answered",
        "feedback.answered_on_time",
        "feedback.overdue",
        "feedback.escalated",
        "feedback.rated",
        "feedback.satisfied",
        "supervision.reports_received",
        "supervision.handled",
        "supervision.handled_in_time",
    },
    "life": {"meetings.held", "meetings.required", "meetings.required_held", "meetings.required_missing"},
    "reach": {"members.on_roll", "members.with_account"},
    "content": {"policies.issued", "organizations.leadership_changes"},
}


def _metrics() -> dict[str, UsageMetric]:
    return {metric.key: metric for metric in registry.entries(UsageMetric)}


def test_every_metric_is_kept_grouped_and_defined():
    metrics = _metrics()
    assert metrics
    for key, metric in metrics.items():
        assert metric.counted is not None, key
        assert metric.group in GROUPS, key
        assert str(metric.definition).strip(), key
        counted = metric.counted
        if counted.capability is not None:  # a rows page: each row shown by words and linked
            assert counted.label is not None and counted.link is not None, key
        if counted.compute is not None:
            assert counted.capability is None, key  # no rows to list


def test_the_measures_of_the_issue_are_kept_in_their_groups():
    metrics = _metrics()
    for group, keys in EXPECTED.items():
        for key in keys:
            assert key in metrics, key
            assert metrics[key].group == group, key


def test_every_rate_divides_two_registered_metrics_of_its_group():
    metrics = _metrics()
    rates = registry.entries(UsageRate)
    assert {"feedback.answered_on_time_rate", "feedback.satisfaction_rate", "supervision.handled_in_time_rate"} <= {
        rate.key for rate in rates
    }
    for rate in rates:
        assert rate.numerator in metrics and rate.denominator in metrics, rate.key
        assert rate.numerator != rate.denominator, rate.key
        assert rate.group in GROUPS and str(rate.definition).strip(), rate.key


def test_labels_and_definitions_are_in_chinese():
    with translation.override("zh-hans"):
        for entry in [*registry.entries(UsageMetric), *registry.entries(UsageRate)]:
            for text in (entry.label, entry.definition):
                shown = str(text)
                assert any("\u4e00" <= char <= "\u9fff" for char in shown), (entry.key, shown)


def test_every_measure_has_its_own_chinese_label():
    """The page's cells and the reports' column headers are found by label: two measures must not share one."""
    with translation.override("zh-hans"):
        labels = [str(m.label) for m in entries(UsageMetric)] + [str(r.label) for r in entries(UsageRate)]
    assert sorted(label for label in set(labels) if labels.count(label) > 1) == []

"""The group robots' console pages (MANAGE_ROBOTS on the organization): the list, add and edit, a robot's page with
its delivery log, the test message and sending a failed delivery again. Writes go through robot_actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import MANAGE_ROBOTS, get_organization_for_user
from dangjian.console.shell import add_field_errors, console_view, render_form_page
from dangjian.core.history import ActionError, InvalidInput

from . import push_delivery, robot_actions
from .models import Delivery, Robot
from .robot_forms import RobotForm

LOG_PAGE_SIZE = 20


def robot_state(robot: Robot) -> tuple[str, str]:
    """(css class, words) of the robot's state, as the list and its page show it."""
    if not robot.active:
        return "muted", pgettext("group robot", "Turned off")
    if robot.consecutive_failures:
        count = robot.consecutive_failures
        return "warning", ngettext("Failed %(count)s time in a row", "Failed %(count)s times in a row", count) % {
            "count": count
        }
    return "ok", pgettext("group robot", "Working")


def topic_label(topic: str) -> str:
    return {
        "article": pgettext("group robot", "Article"),
        "notice": pgettext("group robot", "Notice"),
        push_delivery.TEST_TOPIC: pgettext("group robot", "Test message"),
    }.get(topic, topic)


@console_view
def robots(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_ROBOTS)
    rows = [(robot, *robot_state(robot)) for robot in Robot.objects.filter(organization=org)]
    return render(request, "notifications/robot_list.html", {"org": org, "rows": rows})


def _save(request, form, org, robot: Robot | None):
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = robot_actions.save_robot(
            request.user,
            org.pk,
            form.to_input(),
            robot_id=robot.pk if robot else None,
            expected_version=form.cleaned_data.get("version"),
        )
    except InvalidInput as error:
        add_field_errors(form, error)
        return None
    except ActionError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, _("The robot was saved."))
    return redirect("console:robot", robot_id=saved.pk)


@console_view
def robot_add(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_ROBOTS)
    form = RobotForm(request.POST or None)
    return _save(request, form, org, None) or render_form_page(
        request,
        form,
        org=org,
        title=_("Add a group robot"),
        template="notifications/robot_form.html",
        status=400 if form.errors else 200,
    )


@console_view
def robot_edit(request, robot_id: int):
    robot = robot_actions.get_robot_for_user(request.user, robot_id)
    org = get_organization_for_user(request.user, robot.organization_id, MANAGE_ROBOTS)
    form = RobotForm(request.POST or None, instance=robot)
    return _save(request, form, org, robot) or render_form_page(
        request,
        form,
        org=org,
        title=_("Edit the robot “%(name)s”") % {"name": robot.name},
        template="notifications/robot_form.html",
        status=400 if form.errors else 200,
        robot=robot,
    )


@console_view
def robot(request, robot_id: int):
    robot = robot_actions.get_robot_for_user(request.user, robot_id)
    page = Paginator(Delivery.objects.filter(robot=robot), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    state_class, state = robot_state(robot)
    rows = [(d, topic_label(d.topic)) for d in page]
    return render(
        request,
        "notifications/robot_detail.html",
        {
            "org": robot.organization,
            "robot": robot,
            "state": state,
            "state_class": state_class,
            "page": page,
            "rows": rows,
            "may_change": not robot.organization.is_closed,
        },
    )


@require_POST
@console_view
def robot_test(request, robot_id: int):
    robot = robot_actions.get_robot_for_user(request.user, robot_id)
    try:
        delivery = robot_actions.send_test_message(request.user, robot.pk)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect("console:robot", robot_id=robot.pk)
    # Sent at once, so the page says at once whether the group received it.
    delivery = push_delivery.deliver_now(delivery.pk)
    if delivery.state == Delivery.State.SENT:
        messages.success(request, _("The test message was delivered: look in the group."))
    else:
        messages.error(request, _("The test message was not delivered: %(error)s") % {"error": delivery.last_error})
    return redirect("console:robot", robot_id=robot.pk)


@require_POST
@console_view
def robot_retry(request, robot_id: int, delivery_id: int):
    robot = robot_actions.get_robot_for_user(request.user, robot_id)
    try:
        robot_actions.retry_delivery(request.user, robot.pk, delivery_id)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The message will be sent again shortly."))
    return redirect("console:robot", robot_id=robot.pk)

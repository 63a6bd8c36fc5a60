from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.console.shell import console_view
from dangjian.core.history import ActionError, InvalidInput
from dangjian.notifications import sms

from . import actions
from .forms import GrantRoleForm, LoginForm, NewAccountForm, PasswordChangeWithCodeForm
from .models import RoleGrant
from .permissions import MANAGE_ROLES, get_organization_for_user
from .signals import password_verified


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # Party members sign in here too; where SMS is configured, also with a one-time code (members app).
        return {**super().get_context_data(**kwargs), "sms_sign_in": sms.is_configured()}

    def form_valid(self, form):
        response = super().form_valid(form)
        password_verified.send(
            sender=type(self), request=self.request, user=form.get_user(), password=form.cleaned_data["password"]
        )
        return response


@login_required
def password_change(request):
    """Change one's own password (with a current code when the user has a second factor); keys
    encrypted under the old password are re-encrypted."""
    form = PasswordChangeWithCodeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_own_password(request, form.cleaned_data["old_password"], form.cleaned_data["new_password1"])
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect("console:dashboard")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "first_sign_in": getattr(request.user, "must_change_password", False)},
    )


@console_view
def roles(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_ROLES)
    form = GrantRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.grant_role(request.user, org.pk, form.user.pk, form.cleaned_data["role"])
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The role was granted."))
            return redirect("console:roles", org.pk)
    grants = RoleGrant.objects.filter(organization__path__startswith=org.path).select_related("user", "organization")
    return render(
        request, "accounts/roles.html", {"org": org, "form": form, "grants": grants, "breadcrumbs": org.ancestors()}
    )


@console_view
@never_cache
def new_account(request, org_id: int):
    """Make a new person's account and grant them a role, in one step; the one-time password is shown once, in the
    answer to the POST (never stored in clear, never in a URL or a message kept in the session)."""
    org = get_organization_for_user(request.user, org_id, MANAGE_ROLES)
    form = NewAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = actions.create_account_with_role(
                request.user, org.pk, data["full_name"], data["mobile"], data["role"]
            )
        except InvalidInput as error:
            for name, field_errors in error.errors.items():
                for message in field_errors:
                    form.add_error(name if name in form.fields else None, message)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            return render(
                request, "accounts/account_made.html", {"org": org, "made": made, "breadcrumbs": org.ancestors()}
            )
    return render(request, "accounts/account_new.html", {"org": org, "form": form, "breadcrumbs": org.ancestors()})


@console_view
@require_POST
def revoke(request, org_id: int, grant_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_ROLES)
    grant = get_object_or_404(
        RoleGrant.objects.select_related("organization", "user"), pk=grant_id, organization__path__startswith=org.path
    )
    try:
        actions.revoke_role(request.user, org.pk, grant.pk)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The role was revoked."))
    return redirect("console:roles", org.pk)

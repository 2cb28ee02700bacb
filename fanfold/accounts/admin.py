"""The admin for accounts. Its write actions (suspend, lift, delete) go through accounts.services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from fanfold.accounts import services
from fanfold.accounts.models import ApiToken, Preference, Pseud, User


class SuspendedFilter(admin.SimpleListFilter):
    title = "suspension"
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return [("yes", "Suspended"), ("no", "Not suspended")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(suspended_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(suspended_at__isnull=True)
        return queryset


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text="Kept with the account, for the archive's staff.",
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "is_staff", "is_active", "suspended_at", "date_joined", "last_login")
    list_filter = (SuspendedFilter, "is_active", "is_staff", "is_superuser", "date_joined")
    search_fields = ("username", "email", "pseuds__name")
    readonly_fields = ("suspended_at", "suspension_reason", "last_login", "date_joined")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("Suspension", {"fields": ("suspended_at", "suspension_reason")}),
    )
    actions = ["suspend", "lift_suspension"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # an account made here gets its default pseud and preferences, as at sign-up
            services.set_up_account(obj)

    @admin.action(description="Suspend selected accounts", permissions=["change"])
    def suspend(self, request: HttpRequest, queryset: QuerySet[User]):
        form = SuspendForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for user in queryset:
                if user.pk == request.user.pk:
                    self.message_user(request, "You can't suspend your own account.", messages.ERROR)
                    continue
                try:
                    services.suspend_user(user, form.cleaned_data["reason"])
                except services.AccountError as error:
                    self.message_user(request, f"{user.username}: {error.message}", messages.ERROR)
                else:
                    done += 1
            if done:
                self.message_user(
                    request, f"Suspended {done} account{'s' if done != 1 else ''}.", messages.SUCCESS
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Suspend accounts",
            "opts": self.model._meta,
            "accounts": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/accounts/user/suspend.html", context)

    @admin.action(description="Lift suspension of selected accounts", permissions=["change"])
    def lift_suspension(self, request: HttpRequest, queryset: QuerySet[User]):
        users = list(queryset.filter(suspended_at__isnull=False))
        for user in users:
            services.lift_suspension(user)
        self.message_user(
            request, f"Lifted the suspension of {len(users)} account{'s' if len(users) != 1 else ''}."
        )

    # Deleting an account here orphans its works (they would otherwise block the deletion).
    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, []

    def delete_model(self, request, obj):
        services.delete_account(obj, works="orphan")

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.delete_account(user, works="orphan")


@admin.register(Pseud)
class PseudAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "is_default", "created_at")
    list_filter = ("is_default", ("user", admin.EmptyFieldListFilter))
    search_fields = ("name", "user__username")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("created_at",)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "theme", "history_enabled", "allow_gifts")
    list_filter = ("theme", "history_enabled", "allow_gifts")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    filter_horizontal = ("excluded_tags",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their owners (account page, `fanfold token create`); staff may only revoke them."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at")
    search_fields = ("prefix", "name", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

from django.contrib import admin

from gridgov.tickets.models import Channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "prefix", "number_format", "sign_limit", "sign_limit_unit", "handle_limit",
                    "handle_limit_unit", "active", "sort"]
    list_editable = ["active", "sort"]
# Tickets are deliberately not in the admin: they change only through the do_* actions and are read through visible_to.

"""Role inboxes: filtered, sorted, paginated ticket lists and their streamed Excel export."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from openpyxl import Workbook

from gridgov.core import clock
from gridgov.supervision.queries import SUPERVISED_INBOX
from gridgov.tickets.access import grants_of, visible_to
from gridgov.tickets.deadlines import is_overdue
from gridgov.tickets.queries import INBOXES, ORDERINGS, filter_tickets, inbox, inboxes_for
from gridgov.web.forms import TicketFilterForm

# Inboxes other apps bring, in the shape of INBOXES (the menu shows them through their own template tags).
EXTRA_INBOXES = {"supervised": SUPERVISED_INBOX}
BOXES = {**INBOXES, **EXTRA_INBOXES}


def _relevant(user, key: str) -> bool:
    if key in INBOXES:
        return key in inboxes_for(user)
    return key in EXTRA_INBOXES and any(EXTRA_INBOXES[key][1] & g.perms for g in grants_of(user))


def _inbox(user, key: str, now):
    if key in INBOXES:
        return inbox(user, key, now)
    return visible_to(user).filter(EXTRA_INBOXES[key][2](user, now))

PAGE_SIZE = 50
EXPORT_COLUMNS = ["工单编号", "渠道", "事项分类", "标题", "状态", "所属网格", "受理时间", "办理时限", "结案时间", "是否超期"]


def _tickets(request, key: str):
    """Return (form, queryset) for an inbox with the request's filters; an invalid form yields no rows."""
    if not _relevant(request.user, key):
        raise Http404("没有这个收件箱")
    form = TicketFilterForm(request.GET or None)
    now = clock.now()
    qs = _inbox(request.user, key, now)
    if not form.is_bound:
        return form, qs, "-received_at"
    if not form.is_valid():
        return form, qs.none(), "-received_at"
    filters = form.filters()
    return form, filter_tickets(request.user, qs, filters, now), filters.ordering


@login_required
def home(request):
    """Open the first inbox of the user's role."""
    keys = inboxes_for(request.user)
    if not keys:
        return render(request, "web/no_role.html", status=403)
    return redirect("web:inbox", key=keys[0])


@login_required
def inbox_list(request, key: str):
    """One inbox as a dense, sortable, paginated table."""
    form, qs, ordering = _tickets(request, key)
    page = Paginator(qs.select_related("channel", "category", "area").order_by(*ORDERINGS[ordering]), PAGE_SIZE).get_page(request.GET.get("page"))
    now = clock.now()
    for t in page.object_list:
        t.is_late = is_overdue(t.handle_deadline, now, t.closed_at)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/inbox.html", {
        "key": key, "title": BOXES[key][0], "form": form, "page": page, "ordering": ordering,
        "query": query.urlencode(), "columns": [("number", "工单编号"), ("received_at", "受理时间"), ("handle_deadline", "办理时限")],
    })


def _xlsx_rows(qs, now):
    for t in qs.iterator(chunk_size=2000):
        yield [t.number, t.channel.name, t.category.name, t.title, t.get_state_display(), t.area.name if t.area_id else "",
               clock.localtime(t.received_at), clock.localtime(t.handle_deadline), clock.localtime(t.closed_at),
               "是" if is_overdue(t.handle_deadline, now, t.closed_at) else "否"]


@login_required
def inbox_export(request, key: str):
    """Export the inbox with its filters to .xlsx, written row by row to disk so memory stays flat."""
    form, qs, ordering = _tickets(request, key)
    qs = qs.select_related("channel", "category", "area").order_by(*ORDERINGS[ordering])
    book = Workbook(write_only=True)
    sheet = book.create_sheet(BOXES[key][0])
    sheet.append(EXPORT_COLUMNS)
    for row in _xlsx_rows(qs, clock.now()):
        sheet.append(row)
    out = tempfile.TemporaryFile(suffix=".xlsx")
    book.save(out)
    out.seek(0)
    name = f"{BOXES[key][0]}-{clock.local_date(clock.now()):%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
def menu(request):
    """The menu with fresh inbox counts, polled by the layout."""
    return render(request, "web/_menu.html")


urlpatterns = [
    path("", home, name="home"),
    path("menu/", menu, name="menu"),
    path("inbox/<slug:key>/", inbox_list, name="inbox"),
    path("inbox/<slug:key>/export.xlsx", inbox_export, name="inbox_export"),
]

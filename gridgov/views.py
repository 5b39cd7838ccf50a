"""The landing page until the workbench (issue 3) exists: what runs here and where to go."""

from django.db.models import Count
from django.shortcuts import render

from gridgov.areas.models import Area
from gridgov.tickets.models import Ticket
from gridgov.units.models import Unit


def home(request):
    """Show the district, its size and the entry points (API docs, admin)."""
    district = Area.objects.filter(level=0).first()
    levels = dict(Area.objects.values_list("level").annotate(n=Count("pk")))
    return render(request, "home.html", {
        "district": district,
        "levels": [(name, levels.get(level, 0)) for level, name in enumerate(["区", "街道/镇", "社区/村", "三级网格", "四级网格"])],
        "tickets": Ticket.objects.count(),
        "units": Unit.objects.count(),
    })

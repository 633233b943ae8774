from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from xiangzhi import policy


@login_required
def home(request):
    assignments = policy.assignments(request.user)
    return render(request, "web/home.html", {"assignments": assignments})

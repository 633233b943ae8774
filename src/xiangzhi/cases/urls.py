"""Case pages. Each part keeps its own `urlpatterns` in its views module; they are joined here."""

from xiangzhi.cases import views, views_figures, views_hotline

app_name = "cases"
urlpatterns = [*views.urlpatterns, *views_hotline.urlpatterns, *views_figures.urlpatterns]

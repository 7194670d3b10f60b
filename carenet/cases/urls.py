"""The cases pages. Each part keeps its own URL list: intake (filing a request), work (the
case page, review chain, plan, lists, break-glass) and referrals (agencies, referrals,
letters, assistance)."""

from carenet.cases import urls_intake, urls_referrals, urls_work

app_name = "cases"

urlpatterns = [*urls_intake.urlpatterns, *urls_work.urlpatterns, *urls_referrals.urlpatterns]

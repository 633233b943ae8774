"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): existing civic-reporting clients file cases and
read their progress.

- services = the public case categories (`CaseCategory.is_public`, top categories and sub-categories);
- POST requests needs an `api_key` of an `Open311Client` (`xiangzhi open311-key create`) and files into the
  client's county or town only, through `cases.services.case_report` (source "open311");
- reads need no key and show only cases of public categories, without the reporter, photos or the exact point.
"""

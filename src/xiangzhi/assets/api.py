from ninja import Router

router = Router(tags=["三资管理"])

from ninja import Router

router = Router(tags=["三务公开"])

from ninja import Router

router = Router(tags=["议事协商"])

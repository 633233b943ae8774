"""Open311 GeoReport v2 (/open311/v2/): public by the specification, no session, no user. What the public may
read and what an API client may file is tested in tests/open311."""

from tests.isolation.registry import Exempt

ROUTES = {
    "open311:discovery": Exempt("Open311 服务发现文件，公开，无辖区数据"),
    "open311:services": Exempt("Open311 服务类别列表，公开：只列出公开的事件类别"),
    "open311:service_definition": Exempt("Open311 服务定义，公开：类别与村（社区）名单，无个人信息"),
    "open311:requests": Exempt(
        "Open311 事件列表与提交：读取公开，只含公开类别的事件，不含上报人、照片和精确位置；"
        "提交凭 api_key，只能报入该接入方的县或乡镇（见 tests/open311）"
    ),
    "open311:request_detail": Exempt(
        "Open311 单个事件，公开：非公开类别一律 404（见 tests/open311/test_privacy.py）"
    ),
    "open311:token": Exempt("Open311 token 查询：本平台即时返回编号，不发放 token，一律 404"),
    "open311:unknown": Exempt("Open311 下不存在的地址，统一返回规范格式的 404"),
}

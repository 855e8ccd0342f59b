"""柯桥区's complete, valid 2017 form, (label, unit, value, prior) per indicator of the registry: the one
copy of these figures, for the tests and for the scripts that made the committed fixtures."""

KEQIAO_2017 = [
    ("救护员培训", "人", 3951, 3100),
    ("普及培训", "人次", 31240, 24700),
    ("造血干细胞捐献登记入库", "人", 107, 93),
    ("造血干细胞捐献", "例", 1, 1),
    ("器官遗体角膜捐献登记", "人", 58, 41),
    ("器官捐献", "人", 3, 1),
    ("遗体(角膜)捐献", "例", 5, 3),
    ("捐赠收入", "万元", 240.32, 130.5),
    ("捐赠支出", "万元", 179.7, 120),
    ("捐赠支出受益人数", "人", 7188, 5400),
    ("志愿服务场次", "场次", 264, 216),
    ("志愿服务受益人次", "人次", 22717, 7800),
]

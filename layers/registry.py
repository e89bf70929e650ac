"""The layer registry (图层目录): one card per layer key, the one place a layer is described.

A card (:class:`LayerSpec`) holds everything the rest of the platform knows about a layer:
its table and model (``layers/models/<key>.py``), geometry type, Chinese name, map style,
place in the layer control and popup fields, how the map fetches it, the bureau's field
names the loader accepts for each column, and — for a protected layer — how an overlap
with it weighs in the red-line report and what to advise. The map (``webmap/layers.py``),
the loader (``etl/aliases.py``), the overlap report (``layers/overlap.py``), the OGC
collections, the exports and the checks read the cards; none keeps a list of its own.

Adding a layer means: its model module, a migration, its card here
(``tests/layers/test_registry.py`` checks the card is complete and used).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, NamedTuple

from gis.compliance import FARMLAND_CODES
from gis.errors import NotFoundError
from gis.overlap import OverlapRule
from layers import models
from layers.models.base import Base, in_list

PopupFormat = Literal["text", "area_m2", "datetime"]


class PopupField(NamedTuple):
    """An attribute shown in a feature's popup on the map."""

    column: str
    label: str  # Chinese, for people
    format: PopupFormat = "text"


@dataclass(frozen=True)
class LayerSpec:
    key: str
    model: type[Base]
    geometry_type: str | None  # None: attribute-only table (samples)
    name_zh: str
    style: Mapping[str, object] = field(default_factory=dict)
    # Place in the map's layer control, top first (the first is drawn on top); None: not on
    # the map (attribute-only tables). Every spatial layer has one (test_registry).
    map_order: int | None = None
    # Attributes of a feature's popup. Sections and reservoirs have popups of their own
    # (ws-sections.js, ws-layers.js).
    popup_fields: tuple[PopupField, ...] = ()
    delivery: Literal["geojson", "tiles", "none"] = "geojson"
    label_field: str | None = "name"
    # How people name a feature (the bureau's code: BSM, SKBM, HXBH, section code) and where it
    # lies (坐落), for reports and tables; never the database id.
    code_field: str | None = None
    location_field: str | None = None
    # Loader aliases (字段别名): for each model column filled from the bureau's attributes, the
    # source names accepted for it, best first (etl/aliases.py matches them). A column's own
    # name and its first 10 characters always match; columns not listed keep their defaults.
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # A protected layer: counted by the red-line overlap report with this severity and advice.
    overlap: OverlapRule | None = None
    # SQL condition (constant text from code, never user input) restricting which rows the
    # overlap check counts, e.g. 耕地 = the 0101/0102/0103 parcels of 地类图斑.
    overlap_filter: str | None = None
    # Column of a feature's declared net area (三调 TBDLMJ: parcel area less 田坎 and other
    # deductions, DOMAIN.md §4). The overlap report then also gives the net figure, each
    # piece scaled by declared ÷ ellipsoidal feature area: the rule the area checks use.
    net_area_field: str | None = None

    def __post_init__(self) -> None:
        # Read-only views, so a card cannot be changed by whoever reads it.
        object.__setattr__(self, "style", MappingProxyType(dict(self.style)))
        object.__setattr__(self, "aliases", MappingProxyType(dict(self.aliases)))

    @property
    def table(self) -> str:
        return self.model.__tablename__

    @property
    def protected(self) -> bool:
        """Whether the red-line overlap report measures the layer."""
        return self.overlap is not None


def _polygon_style(colour: str, fill_opacity: float = 0.35, weight: float = 1) -> dict[str, object]:
    return {"color": colour, "fillColor": colour, "weight": weight, "fillOpacity": fill_opacity}


_SPECS = (
    LayerSpec(
        "district",
        models.District,
        "MULTIPOLYGON",
        "行政区界",
        {"color": "#333333", "weight": 2.5, "fillOpacity": 0},
        map_order=11,
        popup_fields=(PopupField("name", "名称"), PopupField("code", "行政区划代码")),
        code_field="code",
        aliases={
            "code": ("XZQDM", "ADCODE", "DM", "CODE", "行政区代码", "行政区划代码", "区划代码"),
            "name": ("XZQMC", "MC", "NAME", "行政区名称", "名称"),
        },
    ),
    LayerSpec(
        "units",
        models.Unit,
        "MULTIPOLYGON",
        "流域片区",
        {"color": "#6a3d9a", "weight": 2, "dashArray": "6 4", "fillOpacity": 0.03},
        map_order=10,
        popup_fields=(PopupField("name", "片区"), PopupField("code", "编码")),
        code_field="code",
        aliases={
            "code": ("PQBM", "PQDM", "LYBM", "BM", "DM", "CODE", "片区编码", "编码"),
            "name": ("PQMC", "LYMC", "MC", "NAME", "片区名称", "名称"),
        },
    ),
    LayerSpec(
        "rivers",
        models.River,
        "MULTILINESTRING",
        "河流",
        {"color": "#1f78b4", "weight": 2},
        map_order=3,
        popup_fields=(PopupField("name", "河流"), PopupField("alias", "别名")),
        aliases={
            "name": ("HLMC", "HDMC", "MC", "NAME", "河流名称", "名称"),
            "alias": ("BIEMING", "BM_ALIAS", "ALIAS", "别名", "又名"),
        },
    ),
    LayerSpec(
        "reservoirs",
        models.Reservoir,
        "POINT",
        "水库",
        {"color": "#08519c", "fillColor": "#6baed6", "radius": 6},
        map_order=2,
        code_field="code",
        aliases={
            "code": ("SKBM", "SKDM", "BM", "DM", "CODE", "水库编码", "编码"),
            "name": ("SKMC", "MC", "NAME", "水库名称", "名称"),
            "scale": ("GM", "SKGM", "GCGM", "SCALE", "工程规模", "规模"),
            "normal_level_m": ("ZCXSW", "NORMAL_LEV", "正常蓄水位"),
            "flood_limit_level_m": ("XXSW", "FLOOD_LIMI", "汛限水位"),
            "capacity_10k_m3": ("ZKR", "CAPACITY", "总库容"),
            "completed_on": (
                "JCSJ",
                "JCRQ",
                "JCNF",
                "COMPLETED",
                "建成时间",
                "建成日期",
                "建成年份",
            ),
            "last_appraisal_on": (
                "AQJDRQ",
                "JDRQ",
                "APPRAISAL",
                "安全鉴定日期",
                "最近鉴定",
                "鉴定日期",
            ),
            "appraisal_result": (
                "AQLB",
                "DBAQLB",
                "JDJL",
                "AQJDJL",
                "DAM_CLASS",
                "大坝安全类别",
                "大坝安全类",  # the 10-byte DBF cut of 大坝安全类别 in GBK
                "安全类别",
                "鉴定结论",
                "安全鉴定结论",
                "坝类",
            ),
            "drinking_source": ("SFSYD", "YYSYD", "DRINKING", "饮用水水源地", "是否水源地"),
            "bloom_risk": ("SHFX", "BLOOM", "BLOOM_RISK", "水华风险"),
        },
    ),
    LayerSpec(
        "sections",
        models.Section,
        "POINT",
        "水质监测断面",
        {"color": "#222222", "radius": 8},
        map_order=1,
        code_field="code",
        aliases={
            "code": ("DMBM", "DMDM", "BM", "CODE", "断面编码", "编码"),
            "name": ("DMMC", "MC", "NAME", "断面名称", "名称"),
            "control_level": ("KZJB", "DMJB", "JB", "CONTROL", "控制级别", "断面级别", "级别"),
            "waterbody": ("STLX", "SZLX", "SWLX", "WATERBODY", "水体类型", "水体"),
            "target_grade": ("SZMB", "MBSZ", "MBLB", "TARGET", "目标水质", "水质目标", "目标类别"),
            "river": ("SZHL", "SSHL", "HLMC", "RIVER", "所在河流", "河流"),
            "reservoir_code": ("SKBM", "RESERVOIR", "RES_CODE", "水库编码"),
            "drinking_source": ("SFSYD", "YYSYD", "DRINKING", "饮用水水源地", "是否水源地"),
            "drinking_source_level": ("SYDJB", "SOURCE_LEVEL", "水源地级别"),
        },
    ),
    # Loaded from lab sheets by etl/samples.py (long format), not from layer files.
    LayerSpec("samples", models.Sample, None, "水质监测数据", delivery="none", label_field=None),
    LayerSpec(
        "water_source_zones",
        models.WaterSourceZone,
        "MULTIPOLYGON",
        "饮用水水源保护区",
        _polygon_style("#00bcd4"),
        map_order=5,
        popup_fields=(
            PopupField("name", "名称"),
            PopupField("level", "保护级别"),
            PopupField("source_name", "水源地"),
        ),
        aliases={
            "name": ("BHQMC", "MC", "NAME", "保护区名称", "名称"),
            "level": ("BHQJB", "BHJB", "JB", "LEVEL", "保护区级别", "级别"),
            "source_name": ("SYDMC", "SYMC", "SOURCE", "水源地名称", "水源地"),
        },
        overlap=OverlapRule(
            "prohibited", "饮用水水源保护区内禁止建设与供水设施和保护水源无关的项目。"
        ),
    ),
    LayerSpec(
        "farmland",
        models.LandParcel,
        "MULTIPOLYGON",
        "耕地（地类图斑）",
        _polygon_style("#d9c36a", 0.5, 0.3),
        map_order=9,
        popup_fields=(
            PopupField("dlmc", "地类名称"),
            PopupField("dlbm", "地类编码"),
            PopupField("bsm", "标识码"),
            PopupField("zldwmc", "坐落单位"),
            PopupField("tbdlmj", "图斑地类面积", "area_m2"),
            PopupField("tbmj", "图斑面积", "area_m2"),
        ),
        delivery="tiles",
        label_field="dlmc",
        code_field="bsm",
        location_field="zldwmc",
        aliases={
            "bsm": ("BSM", "标识码"),
            "dlbm": ("DLBM", "地类编码"),
            "dlmc": ("DLMC", "地类名称"),
            "qsdwdm": ("QSDWDM", "权属单位代码"),
            "qsdwmc": ("QSDWMC", "权属单位名称"),
            "zldwdm": ("ZLDWDM", "坐落单位代码"),
            "zldwmc": ("ZLDWMC", "坐落单位名称"),
            "tbmj": ("TBMJ", "图斑面积"),
            "kcdlbm": ("KCDLBM", "扣除地类编码"),
            "kcxs": ("KCXS", "扣除地类系数"),
            "kcmj": ("KCMJ", "扣除地类面积"),
            "tbdlmj": ("TBDLMJ", "图斑地类面积"),
        },
        # 地类图斑 tile the land: where there is no parcel there are no data.
        overlap=OverlapRule(
            "restricted", "占用耕地须落实“占一补一、占优补优”的耕地占补平衡。", "features"
        ),
        overlap_filter=in_list("dlbm", FARMLAND_CODES),
        net_area_field="tbdlmj",
    ),
    LayerSpec(
        "basic_farmland",
        models.BasicFarmland,
        "MULTIPOLYGON",
        "永久基本农田",
        _polygon_style("#f0a30a", 0.45, 0.5),
        map_order=8,
        popup_fields=(
            PopupField("yjjbnttbbh", "图斑编号"),
            PopupField("dlmc", "地类名称"),
            PopupField("dlbm", "地类编码"),
            PopupField("zldwmc", "坐落单位"),
            PopupField("yjjbntmj", "永久基本农田面积", "area_m2"),
        ),
        delivery="tiles",
        label_field="yjjbnttbbh",
        code_field="yjjbnttbbh",
        location_field="zldwmc",
        aliases={
            "yjjbnttbbh": ("YJJBNTTBBH", "JBNTTBBH", "TBBH", "图斑编号"),
            "dlbm": ("DLBM", "地类编码"),
            "dlmc": ("DLMC", "地类名称"),
            "zldwmc": ("ZLDWMC", "坐落单位名称"),
            "yjjbntmj": ("YJJBNTMJ", "JBNTMJ", "MJ", "永久基本农田面积", "面积"),
        },
        overlap=OverlapRule(
            "prohibited", "永久基本农田一经划定不得擅自占用或改变用途，重大建设项目须论证并补划。"
        ),
    ),
    LayerSpec(
        "eco_redline",
        models.EcoRedline,
        "MULTIPOLYGON",
        "生态保护红线",
        _polygon_style("#2ca25f", 0.4, 1.5),
        map_order=6,
        popup_fields=(
            PopupField("name", "红线名称"),
            PopupField("code", "红线编码"),
            PopupField("redline_type", "红线类型"),
            PopupField("area_m2", "面积", "area_m2"),
        ),
        code_field="code",
        aliases={
            "code": ("HXBH", "HXBM", "BSM", "CODE", "红线编号", "红线编码", "编号"),
            "name": ("HXMC", "MC", "NAME", "红线名称", "名称"),
            "redline_type": ("LXDM", "HXLX", "HXLXMC", "LXMC", "TYPE", "红线类型", "类型"),
            "area_m2": ("MJ", "QYMJ", "HXMJ", "AREA", "面积"),
        },
        overlap=OverlapRule(
            "prohibited",
            "生态保护红线内原则上禁止开发性、生产性建设活动，须按有限人为活动管控要求论证。",
        ),
    ),
    LayerSpec(
        "urban_boundary",
        models.UrbanBoundary,
        "MULTIPOLYGON",
        "城镇开发边界",
        {"color": "#e7298a", "weight": 2, "fillOpacity": 0.08},
        map_order=7,
        popup_fields=(PopupField("name", "名称"),),
        aliases={"name": ("BJMC", "KFBJMC", "MC", "NAME", "名称")},
        overlap=OverlapRule(
            "informational", "城镇开发边界内为城镇集中建设区；边界外的建设须符合国土空间规划。"
        ),
    ),
    # 拟建 outlines checked against the red lines, and 已批/在建/已建 projects, which the list
    # counts as occupation: hence 建设项目, not 拟建项目.
    LayerSpec(
        "projects",
        models.Project,
        "MULTIPOLYGON",
        "建设项目",
        _polygon_style("#d7301f", 0.3, 2),
        map_order=4,
        popup_fields=(
            PopupField("name", "项目名称"),
            PopupField("status", "项目状态"),  # only 已批/在建/已建 count as occupation
            PopupField("approval_no", "批准文号"),
            PopupField("approved_on", "批准日期"),
            PopupField("kind", "类型"),
            PopupField("submitted_by", "提交人"),
            PopupField("submitted_at", "提交时间", "datetime"),
        ),
        code_field="approval_no",
        aliases={
            "name": ("XMMC", "MC", "NAME", "项目名称", "名称"),
            "kind": ("XMLX", "LX", "KIND", "项目类型", "类型"),
            "submitted_by": ("SBDW", "SUBMITTER", "申报单位"),
            "status": ("XMZT", "ZT", "JSZT", "STATUS", "项目状态", "建设状态", "状态"),
            "approval_no": ("PZWH", "PFWH", "APPROVAL", "批准文号", "批复文号", "用地批准文号"),
            "approved_on": ("PZRQ", "PFRQ", "APPROVED", "批准日期", "批复日期", "批准时间"),
        },
    ),
)

LAYERS: dict[str, LayerSpec] = {spec.key: spec for spec in _SPECS}
SPATIAL_LAYERS: dict[str, LayerSpec] = {k: s for k, s in LAYERS.items() if s.geometry_type}
PROTECTED_LAYERS: tuple[str, ...] = tuple(k for k, s in LAYERS.items() if s.protected)
#: Spatial layers in the map's order, top of the layer control first.
MAP_LAYERS: tuple[str, ...] = tuple(
    sorted(
        (k for k, s in SPATIAL_LAYERS.items() if s.map_order is not None),
        key=lambda k: SPATIAL_LAYERS[k].map_order,
    )
)
#: Layer tables whose presence (at least one feature) the checks probe: every spatial layer,
#: so a check can say 无数据 for any layer a list names (an EXISTS probe each, cheap).
PRESENCE_LAYERS: tuple[str, ...] = tuple(s.table for s in SPATIAL_LAYERS.values())


def get_layer(key: str) -> LayerSpec:
    """The spec of ``key``, or a NotFoundError listing the valid keys."""
    try:
        return LAYERS[key]
    except KeyError:
        raise NotFoundError(
            f"未知图层 '{key}' (unknown layer).", hint=f"可用图层：{', '.join(LAYERS)}"
        ) from None

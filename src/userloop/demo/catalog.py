"""The made-up product world behind the demo data: models, regions, problems and their shape.

Everything here is invented for the demo. Numbers are tuned so the generated world looks
plausible (stable has ~50x the devices of beta, bugs outnumber praise, one fix) and tells three
stories: a regression in the newest build (beta only), a crash that hurts a segment which
rarely writes (novices on the budget model), and a feature the pros vote for.
"""

from __future__ import annotations

from dataclasses import dataclass

from userloop.domain.enums import Kind

PRODUCT = "lumo-phone"
MODELS: tuple[str, ...] = ("Lumo 12", "Lumo 12 Pro", "Lumo Note 5", "Lumo Lite 3")
REGIONS: tuple[str, ...] = ("CN", "RU", "NL", "US")
CHANNELS: tuple[str, ...] = ("beta", "stable")
SEGMENTS: tuple[str, ...] = ("novice", "advanced", "pro")
SOURCES: tuple[str, ...] = ("demo-app", "demo-play", "demo-forum")
SOURCE_PREFIX: dict[str, str] = {"demo-app": "app", "demo-play": "play", "demo-forum": "forum"}

N_BUILDS = 6
BUILD_MAJOR_MINOR = "3.4"
#: Days the newest build has been in beta on the world's last day (that day included).
NEWEST_BETA_DAYS = 4
#: Index (0-based) of the build that introduces the regression: the newest, #6 (beta only).
REGRESSION_BUILD_INDEX = N_BUILDS - 1
#: Index (0-based) of the build that fixes the fixed problem: build #4.
FIXED_BUILD_INDEX = 3
REGRESSION_PROBLEM = "camera_night_crash"
FIXED_PROBLEM = "bt_disconnect"
#: Mean extra reports per day about the regression from a reporter whose device it hits: a
#: crash on every night photo makes people write (and write again), on top of their usual.
REGRESSION_REPORTS_PER_DAY = 1.3

#: The silent segment: novices on the budget model. A launcher crash from build #2 on hits them
#: hard (the install base's crash counts show it), but they seldom write.
SILENT_PROBLEM = "launcher_crash"
SILENT_MODEL = "Lumo Lite 3"
SILENT_SEGMENT = "novice"
SILENT_BUILD_INDEX = 1
SILENT_EXTRA_CRASH_RATE = 0.02
SILENT_WRITER_FACTOR = 0.4

#: The feature the enthusiastic segment (pros) votes for.
VOTED_FEATURE = "call_recording"
VOTER_SEGMENT = "pro"

#: Regional line-up: not every model is sold everywhere.
LINEUP: dict[str, tuple[str, ...]] = {
    "CN": ("Lumo 12", "Lumo 12 Pro", "Lumo Note 5", "Lumo Lite 3"),
    "RU": ("Lumo 12", "Lumo 12 Pro", "Lumo Note 5", "Lumo Lite 3"),
    "NL": ("Lumo 12", "Lumo 12 Pro", "Lumo Note 5"),
    "US": ("Lumo 12", "Lumo 12 Pro"),
}
#: The budget model is not part of the beta programme.
BETA_MODELS: tuple[str, ...] = ("Lumo 12", "Lumo 12 Pro", "Lumo Note 5")

REGION_SHARE: dict[str, float] = {"CN": 0.45, "RU": 0.22, "NL": 0.10, "US": 0.23}
MODEL_POPULARITY: dict[str, float] = {
    "Lumo 12": 0.32,
    "Lumo 12 Pro": 0.20,
    "Lumo Note 5": 0.30,
    "Lumo Lite 3": 0.18,
}
SEGMENT_SHARE: dict[str, dict[str, float]] = {
    "stable": {"novice": 0.74, "advanced": 0.22, "pro": 0.04},
    "beta": {"novice": 0.25, "advanced": 0.45, "pro": 0.30},
}
STABLE_DEVICES = 400_000
BETA_DEVICES = STABLE_DEVICES // 50

#: Share of devices that have installed a build, by days since its release on the channel
#: (staged rollout). After the ramp every device on the channel has it.
ROLLOUT_RAMP: dict[str, tuple[float, ...]] = {
    "beta": (0.35, 0.80),
    "stable": (0.08, 0.25, 0.50, 0.75, 0.92),
}

#: Daily crash rate per active device, before channel and regression factors.
CRASH_RATE: dict[str, float] = {
    "Lumo 12": 0.007,
    "Lumo 12 Pro": 0.006,
    "Lumo Note 5": 0.009,
    "Lumo Lite 3": 0.013,
}
BETA_CRASH_FACTOR = 1.4
REGRESSION_EXTRA_CRASH_RATE = 0.022
RETURN_RATE = 1.2e-5

KINDS: tuple[str, ...] = tuple(k.value for k in Kind)


@dataclass(frozen=True)
class ProblemSpec:
    """One recurring topic. ``models`` empty means every model is affected."""

    key: str
    kind: str
    summary: str
    weight: float
    models: tuple[str, ...] = ()
    starts_in: int | None = None  # first build index (0-based) where it appears
    fixed_in: int | None = None  # first build index (0-based) where it is fixed
    straggler_factor: float = 0.03  # remaining weight after the fix
    region_boost: tuple[tuple[str, float], ...] = ()
    segments: tuple[str, ...] = ()  # empty: every segment is affected

    def affects(self, model: str, segment: str | None = None) -> bool:
        in_segment = segment is None or not self.segments or segment in self.segments
        return (not self.models or model in self.models) and in_segment

    def weight_for(
        self, model: str, build_index: int, region: str, segment: str | None = None
    ) -> float:
        """Relative chance that a report from this context is about this problem."""
        if not self.affects(model, segment):
            return 0.0
        if self.starts_in is not None and build_index < self.starts_in:
            return 0.0
        w = self.weight
        if self.fixed_in is not None and build_index >= self.fixed_in:
            w *= self.straggler_factor
        for boosted, factor in self.region_boost:
            if boosted == region:
                w *= factor
        return w


PROBLEMS: tuple[ProblemSpec, ...] = (
    ProblemSpec("battery_drain", "bug", "Battery drains overnight in standby", 1.4),
    ProblemSpec(
        REGRESSION_PROBLEM,
        "bug",
        "Camera app crashes when switching to night mode",
        3.0,
        models=("Lumo 12", "Lumo 12 Pro"),
        starts_in=REGRESSION_BUILD_INDEX,
    ),
    ProblemSpec(
        FIXED_PROBLEM,
        "bug",
        "Bluetooth headphones keep disconnecting",
        1.6,
        fixed_in=FIXED_BUILD_INDEX,
    ),
    ProblemSpec(
        "fingerprint_slow",
        "bug",
        "Fingerprint unlock slow or unreliable",
        1.1,
        models=("Lumo 12", "Lumo Note 5"),
    ),
    ProblemSpec(
        "fiveg_drop",
        "bug",
        "5G connection keeps dropping to 4G",
        1.0,
        models=("Lumo 12 Pro", "Lumo Note 5"),
        region_boost=(("CN", 1.4),),
    ),
    ProblemSpec("notif_delayed", "bug", "Notifications arrive late", 1.0),
    ProblemSpec("keyboard_lag", "bug", "Keyboard lags while typing", 0.8),
    ProblemSpec(
        "gps_inaccurate",
        "bug",
        "GPS location inaccurate or lost",
        1.0,
        models=("Lumo Note 5", "Lumo Lite 3"),
    ),
    ProblemSpec(
        "screen_flicker",
        "bug",
        "Screen flickers at low brightness",
        0.9,
        models=("Lumo 12", "Lumo 12 Pro"),
    ),
    ProblemSpec(
        "overheat_charging",
        "bug",
        "Phone overheats while charging",
        0.9,
        models=("Lumo 12 Pro", "Lumo Note 5"),
    ),
    ProblemSpec(
        SILENT_PROBLEM,
        "bug",
        "Home screen (launcher) crashes and reloads on the budget model",
        10.0,
        models=(SILENT_MODEL,),
        starts_in=SILENT_BUILD_INDEX,
        segments=(SILENT_SEGMENT,),
    ),
    ProblemSpec("dark_mode_schedule", "feature", "Schedule for dark mode", 0.6),
    ProblemSpec(
        "call_recording",
        "feature",
        "Built-in call recording",
        0.5,
        region_boost=(("RU", 2.0), ("CN", 1.5)),
    ),
    ProblemSpec("app_lock", "feature", "Lock individual apps", 0.5),
    ProblemSpec("more_widgets", "feature", "More home-screen widgets", 0.5),
    ProblemSpec(
        "dual_apps",
        "feature",
        "Dual apps / app cloning",
        0.5,
        region_boost=(("CN", 2.5),),
    ),
    ProblemSpec("praise", "praise", "General praise for the phone or update", 1.2),
    ProblemSpec("question_update", "question", "When/how do I get the update or beta", 0.8),
    ProblemSpec("noise", "other", "Generic complaints and noise", 0.9),
)

PROBLEM_BY_KEY: dict[str, ProblemSpec] = {p.key: p for p in PROBLEMS}

#: Star-rating weights (1..5) by kind.
RATING_WEIGHTS: dict[str, tuple[int, int, int, int, int]] = {
    "bug": (50, 30, 13, 5, 2),
    "feature": (6, 14, 40, 30, 10),
    "question": (8, 12, 40, 25, 15),
    "praise": (0, 1, 4, 30, 65),
    "other": (30, 20, 25, 15, 10),
}

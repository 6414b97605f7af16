"""The driver grammar and the link functions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from realpolitik.environment import (
    DriverError,
    LinkError,
    clip_to,
    link_function,
    parse_driver,
    parse_target,
    power_share,
    threat,
    valid_range,
)

ids = st.from_regex(r"[A-Z][A-Z0-9_]{0,5}", fullmatch=True)


@given(
    st.sampled_from(["power_share", "proximity", "threat", "hostility", "affinity"]), ids, ids, st.booleans()
)
def test_canonical_text_round_trips(func: str, a: str, b: str, spaced: bool) -> None:
    sep = " ,  " if spaced else ","
    d = parse_driver(f"{func} ( {a}{sep}{b} )" if spaced else f"{func}({a}{sep}{b})")
    assert (d.func, d.actors) == (func, (a, b))
    assert parse_driver(str(d)) == d


def test_options_are_sorted_and_checked() -> None:
    d = parse_driver("threat(CHN, JPN, offense=o, hostility=h)")
    assert str(d) == "threat(CHN, JPN, hostility=h, offense=o)"
    assert parse_driver("china_assertiveness").func is None
    assert parse_driver("threat") == parse_driver(" threat ")  # an indicator may share a function's name
    assert parse_driver("threat").func is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "got nothing"),
        ("threat(CHN)", "two actors"),
        ("threat(CHN, JPN, RUS)", "two actors"),
        ("threat(CHN JPN)", "expected '\\)' or ','"),
        ("threat(CHN, JPN", "end of driver"),
        ("threat(CHN, JPN) + 1", "unexpected"),
        ("threat(CHN, JPN, colour=red)", "no option 'colour'"),
        ("threat(measure=gdp, CHN, JPN)", "actors come before options"),
        ("danger(CHN, JPN)", "unknown function"),
        ("__import__('os')", "unexpected character"),
    ],
)
def test_grammar_errors(text: str, message: str) -> None:
    with pytest.raises(DriverError, match=message):
        parse_driver(text)


def test_targets() -> None:
    assert str(parse_target("JPN.capability")) == "JPN.capability"
    assert parse_target("RUS.position.territory").issue == "territory"
    for bad in ("JPN", "JPN.salience", "JPN.capability.x", "JPN.mood.x", ".salience.x"):
        with pytest.raises(LinkError):
            parse_target(bad)


finite = st.floats(-10, 10, allow_nan=False)


@given(
    st.sampled_from(["affine", "logistic"]),
    finite,
    st.floats(0, 10),
    st.floats(-1, 2),
    st.floats(0.1, 50),
    st.lists(st.floats(-1, 2), min_size=2, max_size=20),
    st.sampled_from(["salience", "position", "capability"]),
    st.none() | st.tuples(finite, finite).map(lambda t: (min(t), max(t))),
)
def test_positive_gain_never_lowers_the_target_and_clipping_keeps_it_valid(
    function: str,
    base: float,
    gain: float,
    midpoint: float,
    steepness: float,
    xs: list[float],
    kind: str,
    clip: tuple[float, float] | None,
) -> None:
    x = np.sort(np.asarray(xs))
    valid = valid_range(kind, (-5.0, 5.0))  # type: ignore[arg-type]
    y = clip_to(
        link_function(x, function, base=base, gain=gain, midpoint=midpoint, steepness=steepness), clip, valid
    )
    assert np.all(np.diff(y) >= -1e-12)
    assert np.all((y >= valid[0]) & (y <= valid[1]))
    if clip is not None and clip[0] >= valid[0] and clip[1] <= valid[1]:
        assert np.all((y >= clip[0]) & (y <= clip[1]))


def test_link_functions_values() -> None:
    assert link_function(0.5, "affine", base=0.2, gain=0.4) == pytest.approx(0.4)
    assert link_function(0.3, "logistic", base=0.1, gain=0.8, midpoint=0.3) == pytest.approx(0.5)
    with pytest.raises(LinkError):
        link_function(0.5, "cubic")


def test_power_share_and_threat_formulas() -> None:
    assert power_share(0.23062, 0.03297) == pytest.approx(0.23062 / 0.26359)
    assert power_share(0.0, 0.0) == 0.5
    assert threat(0.8, 0.5, 0.5) == pytest.approx(0.2)
    assert threat(0.8, 0.5, 0.5, 0.5) == pytest.approx(0.1)
    assert threat(2.0, 1.0, 1.0) == 1.0  # components are clipped to [0, 1]

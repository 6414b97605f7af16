"""Scenario builders for the deal tests (no built-in files needed)."""

from __future__ import annotations

from typing import Any

from realpolitik.scenario import Scenario, from_dict


def islands(**over: Any) -> Scenario:
    """A small two-party, one-veto case in the shape of the Japan–Russia dispute (numbers illustrative).

    Territory and military status form one agreement (a peace treaty: accepted or refused as a whole),
    military status applies only if some territory changes hands, economic cooperation is agreed on its
    own; the United States holds a veto on military status.
    """
    d: dict[str, Any] = {
        "id": "test-islands",
        "title": "Islands (test)",
        "actors": [
            {"id": "JPN", "name": "Japan", "capability": 0.033},
            {"id": "RUS", "name": "Russia", "capability": 0.036},
            {"id": "USA", "name": "United States", "capability": 0.14},
        ],
        "issues": [
            {
                "id": "territory",
                "name": "Islands",
                "status_quo": 0,
                "labels": {0: "none", 7: "two islands", 37: "three", 100: "all four"},
            },
            {
                "id": "military",
                "name": "Military status",
                "status_quo": 0,
                "labels": {0: "treaty applies", 50: "no bases", 100: "demilitarised"},
                "applies_if": {"issue": "territory", "op": ">", "value": 0},
            },
            {"id": "economy", "name": "Economic cooperation", "status_quo": 20},
        ],
        "positions": {
            "JPN": {
                "territory": {"position": 100, "salience": 0.9},
                "military": {"position": 20, "salience": 0.4},
                "economy": {"position": 40, "salience": 0.3},
            },
            "RUS": {
                "territory": {"position": 0, "salience": 0.6},
                "military": {"position": 100, "salience": 0.8},
                "economy": {"position": 100, "salience": 0.7},
            },
            "USA": {"military": {"position": 0, "salience": 0.7}},
        },
        "parties": ["JPN", "RUS"],
        "vetoes": [{"actor": "USA", "issues": ["military"]}],
        "agreements": [{"id": "treaty", "issues": ["territory", "military"]}],
    }
    d.update(over)
    return from_dict(d)


def treaty(**over: Any) -> Scenario:
    """The islands case with long ids, red lines and a precedent-ready structure (numbers illustrative):
    Russia accepts at most two islands (7) and Japan at least two; Japan's military red line is at least
    50, the United States accepts nothing under 75 on military status, Russia nothing above 25."""
    d: dict[str, Any] = {
        "id": "test-treaty",
        "title": "Treaty (test)",
        "actors": [
            {"id": "JPN", "name": "Japan", "capability": 0.033},
            {"id": "RUS", "name": "Russia", "capability": 0.036},
            {"id": "USA", "name": "United States", "capability": 0.14},
        ],
        "issues": [
            {
                "id": "territory",
                "name": "Islands",
                "status_quo": 0,
                "labels": {0: "none", 7: "two islands", 37: "three", 100: "all four"},
            },
            {
                "id": "military_status",
                "name": "Military status of returned islands",
                "status_quo": 100,
                "labels": {0: "demilitarised", 50: "no foreign forces", 100: "treaty applies in full"},
                "applies_if": {"issue": "territory", "op": ">", "value": 0},
            },
            {"id": "economic_cooperation", "name": "Economic cooperation", "status_quo": 20},
        ],
        "positions": {
            "JPN": {
                "territory": {"position": 100, "salience": 0.9, "acceptable": {"low": 7}},
                "military_status": {"position": 100, "salience": 0.4, "acceptable": {"low": 50}},
                "economic_cooperation": {"position": 60, "salience": 0.3},
            },
            "RUS": {
                "territory": {"position": 0, "salience": 0.6, "acceptable": {"high": 7}},
                "military_status": {"position": 0, "salience": 0.8, "acceptable": {"high": 25}},
                "economic_cooperation": {"position": 100, "salience": 0.7},
            },
            "USA": {"military_status": {"position": 100, "salience": 0.7, "acceptable": {"low": 75}}},
        },
        "parties": ["JPN", "RUS"],
        "vetoes": [{"actor": "USA", "issues": ["military_status"]}],
        "agreements": [{"id": "peace_treaty", "issues": ["territory", "military_status"]}],
    }
    d.update(over)
    return from_dict(d)

"""The OpenAPI document: valid, complete for every API route, and true to the answers."""

from __future__ import annotations

from datetime import date

import jsonschema
import pytest
from openapi_spec_validator import validate

from scheduler import demo
from scheduler.web.api.openapi import OPERATIONS, SCHEMAS, api_routes


def test_the_document_is_valid_openapi_3_1(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.get_json())


def test_every_api_route_is_documented_and_nothing_else(app) -> None:
    routes = api_routes(app)
    assert routes - set(OPERATIONS) == set(), "routes without an OpenAPI operation"
    assert set(OPERATIONS) - routes == set(), "operations without a route"


def _check(instance, name: str) -> None:
    schema = {**SCHEMAS[name], "components": {"schemas": SCHEMAS}}
    jsonschema.Draft202012Validator(schema).validate(instance)


@pytest.fixture
def seeded(db):
    demo.seed_demo(db.session, today=date.today(), password="demo-password-1")
    db.session.commit()


def test_answers_match_the_documented_schemas(client, seeded) -> None:
    for item in client.get("/api/v1/libraries").get_json():
        _check(item, "Library")
    topics = client.get("/api/v1/topics").get_json()
    for item in topics:
        _check(item, "Topic")
    for item in client.get("/api/v1/librarians").get_json():
        _check(item, "Librarian")
    slots = []
    for topic in topics:
        slots = client.get(f"/api/v1/slots?topic={topic['id']}").get_json()
        if slots:
            break
    assert slots, "the demo has free slots"
    for item in slots:
        _check(item, "Slot")
    slot = slots[-1]
    booked = client.post(
        "/api/v1/appointments",
        json={
            "librarian": slot["librarian"]["id"],
            "start": slot["start"],
            "topic": topic["id"],
            "mode": slot["modes"][0],
            "name": "Ada Student",
            "email": "ada@student.example",
        },
    )
    assert booked.status_code == 201, booked.get_json()
    _check(booked.get_json(), "Appointment")
    taken = client.post(
        "/api/v1/appointments",
        json={
            "librarian": slot["librarian"]["id"],
            "start": slot["start"],
            "topic": topic["id"],
            "mode": slot["modes"][0],
            "name": "Bo Student",
            "email": "bo@student.example",
        },
    )
    assert taken.status_code == 409
    _check(taken.get_json(), "Error")
    dropins = client.get("/api/v1/dropins").get_json()
    for item in dropins:
        _check(item, "Dropin")
    open_one = next(d for d in dropins if d["registration_required"] and d["registration_open"])
    signed = client.post(
        f"/api/v1/dropins/{open_one['id']}/registrations",
        json={"name": "Ada Student", "email": "ada@student.example"},
    )
    assert signed.status_code == 201, signed.get_json()
    _check(signed.get_json(), "RegistrationResult")
    bad = client.get("/api/v1/slots?from=yesterday")
    assert bad.status_code == 422
    _check(bad.get_json(), "Error")

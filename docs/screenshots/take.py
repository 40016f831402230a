"""Screenshots for the README and docs: the activity calendar, a topic's booking page and
the roster review, at 1280 px (desktop) and 390 px (phone), from the demo.

    python docs/screenshots/take.py          # writes docs/images/*.png

Needs Chromium (Debian's package, or SCHEDULER_TEST_CHROMIUM) and the test extras
(Playwright). It builds a throw-away instance with the demo, plans a one-week roster
period at the main library and lets the solver fill it (10 s), then serves it on a free
port on 127.0.0.1 and photographs the pages.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from scheduler import create_app  # noqa: E402
from scheduler.cli import upgrade_database  # noqa: E402
from scheduler.demo import seed_demo  # noqa: E402
from scheduler.extensions import db  # noqa: E402
from scheduler.jobs.runner import run_pending  # noqa: E402
from scheduler.models import Library, Person, RosterPeriod, Shift  # noqa: E402
from scheduler.rostering.periods import create_period  # noqa: E402
from scheduler.rostering.runs import SolverSettings, start_run  # noqa: E402

OUT = ROOT / "docs" / "images"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
PASSWORD = "screenshot-password-1"


def build(instance: Path) -> tuple:
    app = create_app(
        {"INSTANCE": str(instance), "RATELIMIT_ENABLED": False, "SOLVER_ISOLATED": False}
    )
    with app.app_context():
        upgrade_database()
        today = date.today()
        sign_ins = seed_demo(db.session, today=today, password=PASSWORD)
        leader = next(s for s in sign_ins if "leader" in s.role)
        library = db.session.scalar(select(Library).where(Library.is_main.is_(True)))
        monday = today + timedelta(days=7 - today.weekday())
        actor = db.session.scalar(select(Person).where(Person.email == leader.email))
        period = create_period(db.session, library, monday, 1, actor)
        start_run(db.session, period, actor=actor, settings=SolverSettings(time_limit=10))
        db.session.commit()
        period_id = period.id
    run_pending(app)
    with app.app_context():
        shift_id = db.session.scalar(
            select(Shift.id).where(Shift.period_id == period_id).order_by(Shift.starts_at)
        )
        assert db.session.get(RosterPeriod, period_id) is not None
    return app, leader.email, period_id, shift_id


def main() -> None:
    chromium = os.environ.get("SCHEDULER_TEST_CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        sys.exit("error: Chromium is not installed (apt-get install chromium)")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app, leader_email, period_id, shift_id = build(Path(tmp) / "instance")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        public = {"calendar": "/calendar", "booking": "/book/topic/law"}
        staff = {
            "roster-review": f"/staff/roster/periods/{period_id}",
            "roster-shift": f"/staff/roster/periods/{period_id}/shifts/{shift_id}",
        }
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for width, height in SIZES.values():
                context = browser.new_context(
                    locale="en-GB", viewport={"width": width, "height": height}
                )
                page = context.new_page()
                for name, path in public.items():
                    page.goto(base + path)
                    page.screenshot(path=str(OUT / f"{name}-{width}.png"))
                page.goto(f"{base}/sign-in")
                page.fill("input[name=email]", leader_email)
                page.fill("input[name=password]", PASSWORD)
                with page.expect_navigation():
                    page.click("main button[type=submit]")
                for name, path in staff.items():
                    page.goto(base + path)
                    page.screenshot(path=str(OUT / f"{name}-{width}.png"))
                context.close()
            browser.close()
        server.shutdown()
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.relative_to(ROOT)}  {png.stat().st_size // 1024} kB")


if __name__ == "__main__":
    main()

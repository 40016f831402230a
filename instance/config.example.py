# Per-deployment settings: copy this file to instance/config.py and change what you need.
# Every setting is listed once, commented out, with its default; an environment variable
# SCHEDULER_<NAME> overrides this file (e.g. SCHEDULER_DATABASE_URL). A bad value stops
# start-up with one line naming the setting. tests/test_config.py keeps this list true.

# --- Database and the site ---------------------------------------------------------------

# Database: any SQLAlchemy URL, e.g. "postgresql+psycopg://scheduler@db.example/scheduler".
# None: SQLite in this folder (instance/scheduler.sqlite3).
# DATABASE_URL = None

# SQLite only: seconds a transaction waits for the write lock before it gives up.
# SQLITE_BUSY_TIMEOUT = 30

# SQLite only: "FULL" syncs every commit to disk (a confirmed booking survives a power
# cut); "NORMAL" is faster but may lose the last commits when the power goes.
# SQLITE_SYNCHRONOUS = "FULL"

# Key that signs sessions and manage links. None: a random key made on first start and
# kept in instance/secret_key. Set it when several hosts serve the same site.
# SECRET_KEY = None

# Time zone (IANA name) for new libraries and for pages without a library.
# TIMEZONE = "Europe/Oslo"

# Languages of the pages (nb, en, sv); the first is used when the browser asks for none of
# them, and for e-mails to people whose language is unknown.
# LANGUAGES = ["nb", "en", "sv"]

# Base address of links in e-mails and calendar feeds (they are read outside any page),
# e.g. "https://bibliotek.uni.example".
# PUBLIC_URL = None  # e.g. "https://booking.library.example"; None: what `serve` listens on

# Days to keep patrons' and registrants' names and e-mail addresses after their
# appointment or session (`scheduler purge` forgets them then).
# RETENTION_DAYS = 180

# Days to keep the free text (description, reflection) of inquiries logged at the desk,
# unless a leader marked the entry anonymised; the counts stay for the statistics.
# DESK_TEXT_RETENTION_DAYS = 90

# --- Book a librarian --------------------------------------------------------------------

# Minutes a booking that waits for the patron to confirm their e-mail address holds its time.
# BOOKING_HOLD_MINUTES = 30

# Bookings and drop-in registrations one e-mail address may make a day before each further
# one waits for a confirmation link sent to that address (on top of the rate limits).
# DAILY_BOOKINGS_WITHOUT_CONFIRMATION = 3

# Largest request body in bytes; a bigger one is refused with 413.
# MAX_CONTENT_LENGTH = 1_048_576

# Free slots per librarian and day kept in each process, checked against versions in the
# database on every search (so several processes and hosts stay exact); entries kept.
# SLOT_CACHE = True
# SLOT_CACHE_ENTRIES = 50000

# --- Rosters -----------------------------------------------------------------------------

# Solver runs started from the web: seconds they may take, and CPU workers they use.
# SOLVER_TIME_LIMIT = 60
# SOLVER_WORKERS = 2

# Solve in a child process this many nice steps below the worker, so that a roster run
# never starves the web (0 = same priority); False = in the job's own thread.
# SOLVER_ISOLATED = True
# SOLVER_NICE = 10

# Roster rules that differ from the defaults in scheduler/rostering/problem.py (DEFAULT_RULES),
# e.g. {"max_consecutive_hours": 4, "min_break_minutes": 15, "weights": {"target": 2}};
# "weights" are merged over the default weights (docs/roster-format.md). None: no changes.
# ROSTER_RULES = None

# --- Background jobs ---------------------------------------------------------------------

# None: a worker thread in each web process runs the jobs. A Redis URL, e.g.
# "redis://127.0.0.1:6379/0": jobs also go to a queue served by `scheduler worker`.
# BROKER_URL = None

# Queue name (Redis key prefix) shared by the web processes and `scheduler worker`.
# BROKER_QUEUE = "scheduler-jobs"

# Worker processes: seconds between sweeps for lost jobs and lost queue messages.
# JOBS_SWEEP_SECONDS = 30

# Extra job kinds, {"kind": "module:function"}, for plug-ins and tests; the built-in kinds
# are in scheduler/job_handlers.py, and every worker of the app runs from one list.
# JOB_HANDLERS = {}

# Start the worker thread in the web process (the tests turn it off and run jobs inline).
# JOBS_THREAD = True

# Seconds without a heartbeat after which a running job counts as lost.
# JOBS_LOST_AFTER = 120

# --- Upkeep (runs by itself, no cron) ------------------------------------------------------

# Reminders, the retention purge, the job sweeper, token clean-up and calendar sync run
# on a schedule: in a thread of each web process, or with BROKER_URL as a periodic task
# of `scheduler worker`. A lease in the database lets one process run each due task.
# False: none of it in this process (run the commands from cron instead).
# UPKEEP_ENABLED = True

# Each task's schedule: "every 10m", "every 1h" (an interval), "daily 03:00" (the clock
# of TIMEZONE, summer time included) or "off". /admin/system shows the last and next run.
# UPKEEP_REMINDERS = "daily 17:00"
# UPKEEP_PURGE = "daily 03:00"
# UPKEEP_SWEEP = "every 1m"
# UPKEEP_TOKENS = "every 15m"
# UPKEEP_CALENDARS = "every 1m"

# Seconds between the upkeep thread's looks at the schedule (a worker looks each minute).
# UPKEEP_POLL_SECONDS = 30

# Seconds a process holds a task's lease; if it dies, another runs the task after this.
# UPKEEP_LEASE_SECONDS = 600

# Days the run records and the heartbeats of workers no longer seen are kept.
# UPKEEP_KEEP_DAYS = 30

# --- E-mail ------------------------------------------------------------------------------

# SMTP server, e.g. "smtp.uni.example". None: messages are written to instance/outbox/
# as .eml files, to read with any mail client.
# MAIL_SERVER = None

# SMTP port, STARTTLS, and the account to sign in with (None: no sign-in).
# MAIL_PORT = 587
# MAIL_USE_TLS = True
# MAIL_USERNAME = None
# MAIL_PASSWORD = None

# Sender of every e-mail (its address is also the organiser of calendar invitations
# when a library has no e-mail address of its own).
# MAIL_FROM = "Library <no-reply@library.example>"

# An e-mail the server did not take is tried again after MAIL_RETRY_SECONDS, doubling (at
# most an hour), and given up on (shown on /admin/outbox) after this many tries.
# MAIL_RETRY_SECONDS = 60
# MAIL_MAX_ATTEMPTS = 8

# --- Rate limits (Flask-Limiter) ---------------------------------------------------------

# Where the counters live: memory:// is per process; with several processes use Redis,
# e.g. "redis://127.0.0.1:6379/1".
# RATELIMIT_STORAGE_URI = "memory://"

# The limiter's Redis, shared by every process, e.g. "redis://127.0.0.1:6379/1".
# None: the broker's Redis when BROKER_URL is set, else RATELIMIT_STORAGE_URI.
# RATELIMIT_STORAGE_URL = None

# While the storage (Redis) is unreachable, count in each process's memory instead of
# refusing or failing requests: the limits loosen, they never block anyone.
# RATELIMIT_SWALLOW_ERRORS = True
# RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True

# Public writes (booking, sign-up, cancelling; pages and API share one budget per client)
# and sign-in attempts.
# RATELIMIT_PUBLIC_WRITE = "20 per minute;200 per hour"
# RATELIMIT_SIGN_IN = "10 per minute"

# Attempts at the second sign-in step (authenticator or recovery code) per client.
# RATELIMIT_SECOND_FACTOR = "10 per minute"

# Reverse proxies in front of the app that set X-Forwarded-For and X-Forwarded-Proto;
# the client's address is read from them. 0: the app is reached directly.
# PROXY_HOPS = 0

# Per client: asking for a password link ("forgot password") and changing one's password.
# RATELIMIT_PASSWORD = "5 per minute;30 per hour"

# --- Staff accounts ----------------------------------------------------------------------

# Guessing one account's password, from however many clients: after SIGN_IN_SLOW_AFTER
# failed sign-ins each further try must wait twice as long as the last (1 s, 2 s, 4 s ...);
# after SIGN_IN_LOCK_AFTER, sign-in is locked for SIGN_IN_LOCK_MINUTES and the account's
# owner is e-mailed. Counted per e-mail address, so unknown addresses behave the same.
# SIGN_IN_SLOW_AFTER = 5
# SIGN_IN_LOCK_AFTER = 10
# SIGN_IN_LOCK_MINUTES = 15

# --- Calendar feeds ----------------------------------------------------------------------

# Days of past events a feed keeps, days a cancelled item stays in it as CANCELLED, and
# how often calendar apps are asked to fetch it again (minutes).
# FEEDS_PAST_DAYS = 90
# FEEDS_CANCELLED_DAYS = 30
# FEEDS_REFRESH_MINUTES = 60

# Key that feed links are derived from (HMAC). None: SECRET_KEY. Set it on its own if
# SECRET_KEY may be rotated: links then keep working (but could not be shown again).
# FEEDS_TOKEN_KEY = None

# Rendered feeds kept in memory per process, by fingerprint (bytes; 0 = none).
# FEEDS_CACHE_BYTES = 67108864

# --- Operations ----------------------------------------------------------------------------

# /metrics answers this bearer token, or these addresses (comma-separated IPs or networks)
# when reached directly, not through a proxy. None / "" = no token.
# METRICS_TOKEN = None
# METRICS_ALLOW = "127.0.0.1,::1"

# Logs: "json" (one object per line with request and job ids, for production) or "text".
# LOG_FORMAT = "text"
# LOG_LEVEL = "INFO"

# Seconds a client is asked to wait (Retry-After) when the database is unreachable; also
# how long a write whose COMMIT lost its connection waits to learn whether it committed.
# DB_RETRY_AFTER = 5

# --- Connected calendars (docs/booking.md) -----------------------------------------------

# Keys that seal calendar addresses and app passwords, and staff's authenticator keys
# (Fernet keys, comma separated; the first seals, all open). None: a key made on first
# use in instance/calendar_keys. Make one with
# python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'
# CALENDARS_SECRET_KEYS = None

# Minutes between syncs of each calendar; hours of failure before the librarian is
# warned (page and e-mail); then "keep" the last good busy times or "stop" offering the
# librarian's slots; whether tentative events block slots.
# CALENDARS_SYNC_MINUTES = 10
# CALENDARS_WARN_AFTER_HOURS = 2
# CALENDARS_WHEN_FAILING = "keep"
# CALENDARS_TENTATIVE_BLOCKS = True

# Limits of one read: size in MB, seconds to connect, between packets and in all,
# redirects followed, busy times kept; and calendars one person may connect.
# CALENDARS_MAX_MB = 10
# CALENDARS_CONNECT_SECONDS = 5
# CALENDARS_READ_SECONDS = 15
# CALENDARS_TOTAL_SECONDS = 30
# CALENDARS_MAX_REDIRECTS = 5
# CALENDARS_MAX_EVENTS = 10000
# CALENDARS_MAX_PER_PERSON = 5

# Allow calendar servers on loopback and private networks (an intranet CalDAV server;
# tests). Off: an address typed by a user must not reach inside the network.
# CALENDARS_ALLOW_PRIVATE = False

# --- Cookies and sessions ----------------------------------------------------------------

# Cookies are HttpOnly and SameSite=Lax. When PUBLIC_URL is https:// they are also Secure
# and named with the __Host- prefix, and responses carry HSTS, whatever is set here.
# SESSION_COOKIE_HTTPONLY = True
# SESSION_COOKIE_SAMESITE = "Lax"
# SESSION_COOKIE_SECURE = False
# REMEMBER_COOKIE_HTTPONLY = True
# REMEMBER_COOKIE_SAMESITE = "Lax"
# REMEMBER_COOKIE_SECURE = False

# Seconds a sign-in lasts (12 hours).
# PERMANENT_SESSION_LIFETIME = 43200

# Staff sessions: minutes without a request before a session ends (idle timeout), hours
# a session lasts at most, and days "keep me signed in" lasts at most.
# SESSION_IDLE_MINUTES = 30
# SESSION_LIFETIME_HOURS = 12
# REMEMBER_DAYS = 30

# Roles that must use a second factor (an authenticator app) to sign in; the others may.
# Comma-separated from admin, section_leader, librarian, first_line; "" for nobody.
# REQUIRE_2FA_ROLES = "admin,section_leader"

# Seconds a form's CSRF token is valid; None: as long as the session.
# WTF_CSRF_TIME_LIMIT = None

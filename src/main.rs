//! The `doorstep` command line. Thin: parses arguments and calls the library
//! (`doorstep::service` for the service's own commands).

mod cli_geo;
mod cli_road;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use doorstep::service::{self, DbSettings};

#[derive(Parser)]
#[command(
    name = "doorstep",
    version,
    about = "Supplies to households in home isolation: intake, geocoding, routes, route sheets"
)]
struct Cli {
    /// Log filter, e.g. `info` or `doorstep=debug,actix_server=warn`.
    #[arg(long, global = true, env = "DOORSTEP_LOG", default_value = "info")]
    log: String,
    /// Log one JSON object per line instead of text.
    #[arg(long, global = true, env = "DOORSTEP_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

/// Where the database is.
#[derive(Args, Clone)]
struct DbArgs {
    /// `postgres://user@host/db`, or a SQLite file (`doorstep.db`, `sqlite://path`).
    #[arg(long, env = "DOORSTEP_DB", default_value = "doorstep.db")]
    db: String,
    /// Pooled connections (readers on SQLite).
    #[arg(long, env = "DOORSTEP_DB_POOL", default_value_t = 8)]
    db_pool: u32,
    /// Seconds to wait for a database connection before answering 503.
    #[arg(long, env = "DOORSTEP_DB_TIMEOUT", default_value_t = 5)]
    db_timeout: u64,
    /// Most writes per SQLite group commit (1 = a transaction per write).
    #[arg(long, env = "DOORSTEP_WRITE_BATCH", default_value_t = 256)]
    write_batch: usize,
}

impl DbArgs {
    fn settings(&self) -> DbSettings {
        DbSettings {
            url: self.db.clone(),
            pool_size: self.db_pool,
            write_batch_max: self.write_batch.max(1),
            timeout: Duration::from_secs(self.db_timeout.max(1)),
        }
    }
}

/// Cookies, proxies and the public forms' rate limits.
#[derive(Args, Clone)]
struct AuthArgs {
    /// `Secure` on cookies: auto (when the request came over HTTPS, also per
    /// X-Forwarded-Proto), always, never.
    #[arg(long, env = "DOORSTEP_SECURE_COOKIES", default_value = "auto")]
    secure_cookies: String,
    /// Behind a reverse proxy: take the client's address from X-Forwarded-For / Forwarded.
    #[arg(long, env = "DOORSTEP_TRUST_PROXY")]
    trust_proxy: bool,
    /// Filings per minute per client (0 = no limit); bursts of half as many more.
    #[arg(long, env = "DOORSTEP_INTAKE_RATE", default_value_t = 60)]
    intake_rate: u32,
    /// Tracking-page views per minute per client (0 = no limit).
    #[arg(long, env = "DOORSTEP_TRACK_RATE", default_value_t = 120)]
    track_rate: u32,
    /// Sign-in attempts per minute per client (0 = no limit).
    #[arg(long, env = "DOORSTEP_LOGIN_RATE", default_value_t = 10)]
    login_rate: u32,
}

impl AuthArgs {
    fn settings(&self) -> anyhow::Result<doorstep::web::auth::AuthSettings> {
        use doorstep::auth::throttle::Rate;
        let rate = |n: u32, burst: u32| {
            if n == 0 {
                Rate::OFF
            } else {
                Rate::per_minute(n, burst)
            }
        };
        Ok(doorstep::web::auth::AuthSettings {
            secure_cookies: self
                .secure_cookies
                .parse()
                .map_err(|e| anyhow::anyhow!("--secure-cookies {e}"))?,
            trust_proxy: self.trust_proxy,
            intake_rate: rate(self.intake_rate, self.intake_rate / 2),
            track_rate: rate(self.track_rate, self.track_rate / 2),
            login_rate: rate(self.login_rate, self.login_rate),
        })
    }
}

/// The map engine: caches, geocoding at intake, zone changes.
#[derive(Args, Clone)]
struct EngineArgs {
    /// Where to cache the imported map, geocoder index and prepared road graphs
    /// (default: `doorstep-cache/` beside a SQLite file, or in the current directory).
    #[arg(long, env = "DOORSTEP_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Geocoded requests below this confidence (0–1) go to "needs review".
    #[arg(long, env = "DOORSTEP_REVIEW_BELOW", default_value_t = doorstep::engine::REVIEW_BELOW_DEFAULT)]
    review_below: f64,
    /// Seconds between checks for zones changed through other instances.
    #[arg(long, env = "DOORSTEP_ZONE_POLL", default_value_t = 5)]
    zone_poll: u64,
}

impl EngineArgs {
    fn apply(&self, options: &mut service::ServeOptions) {
        options.cache_dir = self.cache_dir.clone();
        options.review_below = self.review_below;
        options.zone_poll = Duration::from_secs(self.zone_poll.max(1));
    }
}

/// How requests become stops: service times, deadlines per urgency, the area rule.
#[derive(Args, Clone)]
struct DispatchArgs {
    /// Seconds at a building entrance once per visit.
    #[arg(long, env = "DOORSTEP_SERVICE_BASE_S", default_value_t = 120.0)]
    service_base_s: f64,
    /// Seconds per household served at a stop.
    #[arg(long, env = "DOORSTEP_SERVICE_PER_HOUSEHOLD_S", default_value_t = 60.0)]
    service_per_household_s: f64,
    /// Seconds at a high-risk zone's checkpoint once per visit.
    #[arg(long, env = "DOORSTEP_CHECKPOINT_BASE_S", default_value_t = 300.0)]
    checkpoint_base_s: f64,
    /// Hours after filing within which an extremely urgent request should be served.
    #[arg(
        long,
        env = "DOORSTEP_DEADLINE_EXTREMELY_URGENT_H",
        default_value_t = 2.0
    )]
    deadline_extremely_urgent_h: f64,
    /// Hours for an urgent request.
    #[arg(long, env = "DOORSTEP_DEADLINE_URGENT_H", default_value_t = 12.0)]
    deadline_urgent_h: f64,
    /// Hours for a normal request.
    #[arg(long, env = "DOORSTEP_DEADLINE_NORMAL_H", default_value_t = 36.0)]
    deadline_normal_h: f64,
    /// `soft` (squads may serve outside their communities, at a cost) or `hard` (never).
    #[arg(long, env = "DOORSTEP_AREA_RULE", default_value = "soft")]
    area_rule: String,
    /// With `--area-rule soft`: seconds of travel a stop outside the squad's area counts as.
    #[arg(long, env = "DOORSTEP_AREA_PENALTY_S", default_value_t = 900.0)]
    area_penalty_s: f64,
}

impl DispatchArgs {
    fn settings(&self) -> anyhow::Result<doorstep::dispatch::DispatchSettings> {
        use doorstep::optimize::{AreaRule, DeadlinePolicy};
        let area_rule = match self.area_rule.as_str() {
            "soft" => AreaRule::Soft {
                penalty_s: self.area_penalty_s,
            },
            "hard" => AreaRule::Hard,
            other => anyhow::bail!("--area-rule `{other}`: use soft or hard"),
        };
        let s = doorstep::dispatch::DispatchSettings {
            service_base_s: self.service_base_s,
            service_per_household_s: self.service_per_household_s,
            checkpoint_base_s: self.checkpoint_base_s,
            deadlines: DeadlinePolicy {
                extremely_urgent_s: self.deadline_extremely_urgent_h * 3600.0,
                urgent_s: self.deadline_urgent_h * 3600.0,
                normal_s: self.deadline_normal_h * 3600.0,
            },
            area_rule,
            ..Default::default()
        };
        s.validate()
            .map_err(|e| anyhow::anyhow!("dispatch settings: {e}"))?;
        Ok(s)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the web service (migrating the database first).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "DOORSTEP_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// The OpenStreetMap extract (`.osm.pbf`) of the district.
        #[arg(long, env = "DOORSTEP_OSM")]
        osm: Option<PathBuf>,
        /// Offset for times shown to people.
        #[arg(long, env = "DOORSTEP_UTC_OFFSET", default_value = "+08:00")]
        utc_offset: String,
        /// Seconds to wait at start for a database that is not up yet.
        #[arg(long, env = "DOORSTEP_WAIT_DB", default_value_t = 30)]
        wait_db: u64,
        #[command(flatten)]
        auth: AuthArgs,
        #[command(flatten)]
        engine: EngineArgs,
        #[command(flatten)]
        dispatch: DispatchArgs,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// A fresh SQLite database with the bundled sample district and seed data, then serve.
    Demo {
        /// Directory for the demo database and map (replaced on each run).
        #[arg(long, default_value = "doorstep-demo")]
        dir: PathBuf,
        #[arg(long, env = "DOORSTEP_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Produce the day's plans for every active squad; prints each squad's summary and the
    /// requests left unserved with the reason.
    Plan {
        #[command(flatten)]
        db: DbArgs,
        /// The OpenStreetMap extract (`.osm.pbf`) of the district.
        #[arg(long, env = "DOORSTEP_OSM")]
        osm: Option<PathBuf>,
        /// Where the map caches are (default: beside the database).
        #[arg(long, env = "DOORSTEP_CACHE_DIR")]
        cache_dir: Option<PathBuf>,
        /// The day to plan, YYYY-MM-DD (default: today).
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// Seconds the optimizer may search.
        #[arg(long, default_value_t = 10.0)]
        time_limit: f64,
        /// Offset of the squads' shift times.
        #[arg(long, env = "DOORSTEP_UTC_OFFSET", default_value = "+08:00")]
        utc_offset: String,
        #[command(flatten)]
        dispatch: DispatchArgs,
    },
    /// Import a building leader's sign-up list (CSV, UTF-8 or GBK), row by row.
    ImportRequests {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
        /// Who compiled the list: name (rows are then filed on behalf of the residents).
        #[arg(long)]
        filer_name: Option<String>,
        /// Who compiled the list: phone.
        #[arg(long)]
        filer_phone: Option<String>,
        /// `building_leader` (default), `neighbour` or `volunteer`.
        #[arg(long)]
        filed_by: Option<String>,
        /// Check every row, store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Language of the messages: zh or en.
        #[arg(long, env = "DOORSTEP_LANG", default_value = "zh")]
        lang: String,
    },
    /// Staff accounts, squad sign-in links, API tokens.
    #[command(subcommand)]
    User(UserCommand),
    /// Regenerate the bundled sample district (`.osm.pbf` and seed) into a directory.
    GenSample {
        /// Where to write `sample-district.osm.pbf` and `seed.json`.
        #[arg(long, default_value = "data")]
        out: PathBuf,
    },
    /// Import an OpenStreetMap extract (.osm.pbf) into a raw-map cache file.
    Import(cli_geo::ImportArgs),
    /// Geocode addresses from stdin (one per line, or JSON Lines with --jsonl) to JSON Lines.
    Geocode(cli_geo::GeocodeArgs),
    /// The geocoder's evaluation: generate query sets from the extracts, run, score.
    GeocodeEval(cli_geo::EvalArgs),
    /// A route between two points with directions in Chinese and English.
    Route(cli_road::RouteArgs),
    /// Build (or read from the cache) every mode's road graph and report on it.
    RoadGraph(cli_road::NetworkArgs),
    /// Solve VRP benchmark instances (Solomon .txt, CVRPLIB .vrp) and compare with the best known.
    BenchVrp {
        /// Seconds per instance (default 10; 1 with --fast).
        #[arg(long)]
        time_limit: Option<f64>,
        /// Distance only, at most one second per instance.
        #[arg(long)]
        fast: bool,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Worker threads per instance.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Write each solution as a CVRPLIB .sol file into this directory.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Instance files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; prints a generated password unless --password-stdin.
    Add {
        /// 3–32 of a-z 0-9 . _ -
        username: String,
        /// `coordinator` or `squad_member`.
        #[arg(long)]
        role: String,
        /// The squad (name or id) of a squad member.
        #[arg(long)]
        squad: Option<String>,
        /// The name shown on pages (default: the username).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of stdin (at least 10 characters).
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the accounts.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable an account: its sessions end at once; it can no longer sign in.
    Disable {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Enable a disabled account again.
    Enable {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// A squad's sign-in link (printed with its QR code); it expires, and can be revoked.
    SquadLink {
        /// The squad's name or id.
        #[arg(long)]
        squad: String,
        /// Hours the link stays valid (1–72).
        #[arg(long, default_value_t = 16)]
        hours: i64,
        /// The address people reach doorstep at.
        #[arg(
            long,
            env = "DOORSTEP_BASE_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        base_url: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a squad link: it stops working and the phones signed in with it are signed out.
    RevokeLink {
        /// The link id printed by `squad-link`.
        id: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// An API token for a script acting as this account (printed once).
    Token {
        username: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// Days until it expires (default: until revoked).
        #[arg(long)]
        days: Option<i64>,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn user_command(cmd: UserCommand) -> anyhow::Result<()> {
    use doorstep::service::users;
    let open = |db: &DbArgs| service::open_and_migrate(&db.settings(), Duration::ZERO);
    match cmd {
        UserCommand::Add {
            username,
            role,
            squad,
            name,
            password_stdin,
            db,
        } => {
            let role: doorstep::domain::Role = role.parse()?;
            let database = open(&db)?;
            let added = users::add(
                &database,
                &username,
                name.as_deref(),
                role,
                squad.as_deref(),
                password_stdin,
            )?;
            println!(
                "created {} ({}{})",
                added.username,
                added.role,
                added
                    .squad
                    .map(|s| format!(", squad {s}"))
                    .unwrap_or_default()
            );
            if let Some(pw) = added.generated_password {
                println!("password: {pw}   (shown once; sign in at /login)");
            }
        }
        UserCommand::List { db } => print!("{}", users::list(&*open(&db)?)?),
        UserCommand::Disable { username, db } => {
            users::set_active(&*open(&db)?, &username, false)?;
            println!("disabled {username}; its sessions have ended");
        }
        UserCommand::Enable { username, db } => {
            users::set_active(&*open(&db)?, &username, true)?;
            println!("enabled {username}");
        }
        UserCommand::SquadLink {
            squad,
            hours,
            base_url,
            db,
        } => print!(
            "{}",
            users::squad_link(&*open(&db)?, &squad, hours, &base_url)?
        ),
        UserCommand::RevokeLink { id, db } => {
            let ended = users::revoke_link(&*open(&db)?, &id)?;
            println!("revoked; {ended} session(s) ended");
        }
        UserCommand::Token {
            username,
            name,
            days,
            db,
        } => {
            let secret = users::api_token(&*open(&db)?, &username, &name, days)?;
            println!("{secret}\n(shown once; send it as `Authorization: Bearer <token>`)");
        }
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    service::init_logging(&cli.log, cli.log_json);
    match cli.command {
        Command::Serve {
            db,
            listen,
            osm,
            utc_offset,
            wait_db,
            auth,
            engine,
            dispatch,
        } => {
            let mut options = service::ServeOptions::new(&listen);
            options.web = doorstep::web::WebConfig {
                utc_offset: service::parse_utc_offset(&utc_offset)?,
                auth: auth.settings()?,
                dispatch: dispatch.settings()?,
            };
            options.osm = osm;
            engine.apply(&mut options);
            let db = service::open_and_migrate(&db.settings(), Duration::from_secs(wait_db))?;
            actix_web::rt::System::new().block_on(service::serve(db, options))?;
        }
        Command::Migrate { db } => {
            let settings = db.settings();
            let database = doorstep::db::Database::open(&settings.config())?;
            let applied = database.migrate()?;
            println!(
                "{}: {} migration(s) applied{}",
                database.display_url(),
                applied.len(),
                if applied.is_empty() {
                    " (up to date)"
                } else {
                    ""
                }
            );
        }
        Command::Demo { dir, listen } => {
            let (db, seeded) = service::demo::prepare(&dir)
                .with_context(|| format!("preparing the demo in {}", dir.display()))?;
            println!("{}", service::demo::banner(&listen, &seeded));
            let mut options = service::ServeOptions::new(&listen);
            options.osm = Some(seeded.osm_path.clone());
            options.cache_dir = Some(dir.join("cache"));
            actix_web::rt::System::new().block_on(service::serve(db, options))?;
        }
        Command::Plan {
            db,
            osm,
            cache_dir,
            date,
            time_limit,
            utc_offset,
            dispatch,
        } => print!(
            "{}",
            service::plan::run(&service::plan::PlanCommand {
                db: db.settings(),
                osm,
                cache_dir,
                date,
                time_limit_s: time_limit,
                utc_offset: service::parse_utc_offset(&utc_offset)?,
                settings: dispatch.settings()?,
            })?
        ),
        Command::ImportRequests {
            file,
            db,
            filer_name,
            filer_phone,
            filed_by,
            dry_run,
            lang,
        } => {
            let lang = doorstep::i18n::Lang::parse(&lang).unwrap_or_default();
            let filed_by = filed_by
                .map(|f| f.parse::<doorstep::domain::FiledBy>())
                .transpose()?;
            let filer = service::import::Filer {
                filed_by,
                name: filer_name,
                phone: filer_phone,
            };
            let database = service::open_and_migrate(&db.settings(), Duration::ZERO)?;
            let report = service::import::import_file(&database, &file, &filer, lang, dry_run)?;
            print!("{}", report.render(&file));
            if !report.refused.is_empty() {
                std::process::exit(2);
            }
        }
        Command::User(cmd) => user_command(cmd)?,
        Command::GenSample { out } => {
            let written = doorstep::sample::write_to(&out)
                .with_context(|| format!("writing the sample district to {}", out.display()))?;
            for path in written {
                println!("wrote {}", path.display());
            }
        }
        Command::Import(args) => cli_geo::import(args)?,
        Command::Geocode(args) => cli_geo::geocode(args)?,
        Command::GeocodeEval(args) => cli_geo::eval(args)?,
        Command::Route(args) => cli_road::route(args)?,
        Command::RoadGraph(args) => cli_road::road_graph(args)?,
        Command::BenchVrp {
            time_limit,
            fast,
            seed,
            threads,
            out,
            files,
        } => {
            // Search statistics with RUST_LOG=doorstep=debug (stderr; stdout stays JSON lines).
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_writer(std::io::stderr)
                .try_init();
            let opts = doorstep::optimize::bench::BenchOptions {
                time_limit_s: time_limit,
                fast,
                seed,
                threads,
                out,
            };
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            doorstep::optimize::bench::run(&files, &opts, &mut lock).context("bench-vrp")?;
        }
    }
    Ok(())
}

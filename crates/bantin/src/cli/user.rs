//! `bantin user add | passwd | list | disable`, through the same account
//! rules as the admin pages (`accounts::manage`).

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use super::open;
use crate::accounts::{Role, manage, user};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::site;

#[derive(Debug, clap::Args)]
pub struct UserArgs {
    /// The site whose accounts these are (host or number) [default: the default site].
    #[arg(long, global = true)]
    pub site: Option<String>,
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account (a strong password is generated and printed once,
    /// unless --password-stdin).
    Add {
        /// Login name: 3-32 of a-z 0-9 . _ -
        name: String,
        #[arg(long, value_parser = ["admin", "editor", "author"])]
        role: String,
        /// The name shown in the admin pages [default: the login name].
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        /// An account of the province IT office: may add and disable sites and
        /// manage every site's users and settings (role admin, on the province's portal).
        #[arg(long)]
        operator: bool,
    },
    /// Set a new password (generated and printed once, unless --password-stdin);
    /// ends the account's sessions.
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Disable an account and end its sessions.
    Disable { name: String },
}

fn read_password_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// The password from standard input, or `None` to generate one.
fn given_password(from_stdin: bool) -> anyhow::Result<Option<String>> {
    from_stdin.then(read_password_stdin).transpose()
}

fn not_found(name: &str) -> impl FnOnce(manage::Error) -> anyhow::Error + '_ {
    move |e| match e {
        manage::Error::NotFound => anyhow::anyhow!("không có tài khoản {name}"),
        e => e.into(),
    }
}

pub async fn run(config: Config, args: UserArgs) -> anyhow::Result<ExitCode> {
    let db = open(&config).await?;
    let cmd = args.command;
    let site = match site::lookup(&db, args.site.as_deref()).await {
        Ok(s) => s,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let now = SystemClock.now();
    let result = async {
        match cmd {
            UserCommand::Add {
                name,
                role,
                display_name,
                password_stdin,
                operator,
            } => {
                let role = Role::parse(&role).context("role must be admin, editor or author")?;
                let new = manage::NewAccount {
                    username: &name,
                    display_name: display_name.as_deref().unwrap_or(""),
                    role,
                    password: given_password(password_stdin)?,
                    operator,
                };
                let created = manage::create(&db, site.id, None, new, now).await?;
                println!("Đã tạo tài khoản {} ({}).", created.username, role.label());
                if let Some(password) = created.generated_password {
                    println!("Mật khẩu (chỉ hiện một lần): {password}");
                }
            }
            UserCommand::Passwd {
                name,
                password_stdin,
            } => {
                let target = manage::find(&db, site.id, &name)
                    .await
                    .map_err(not_found(&name))?;
                let given = given_password(password_stdin)?;
                let generated =
                    manage::set_password(&db, site.id, None, &target, given, now).await?;
                println!("Đã đổi mật khẩu của {}.", target.username);
                if let Some(password) = generated {
                    println!("Mật khẩu mới (chỉ hiện một lần): {password}");
                }
            }
            UserCommand::List => {
                for u in user::list(&db, site.id).await? {
                    let state = if u.disabled {
                        "đã khoá"
                    } else {
                        "hoạt động"
                    };
                    println!(
                        "{}\t{}\t{}\t{}",
                        u.username,
                        u.role.as_str(),
                        state,
                        u.display_name
                    );
                }
            }
            UserCommand::Disable { name } => {
                let target = manage::find(&db, site.id, &name)
                    .await
                    .map_err(not_found(&name))?;
                manage::disable(&db, site.id, None, &target, now).await?;
                println!("Đã khoá tài khoản {}.", target.username);
            }
        }
        anyhow::Ok(())
    }
    .await;
    db.close().await;
    result.map(|()| ExitCode::SUCCESS)
}

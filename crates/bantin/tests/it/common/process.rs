//! The `bantin` binary as a child process: run a command, serve on a free
//! port, talk plain HTTP/1.1 to it, stop it.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};

pub fn bantin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bantin"));
    for var in [
        "BANTIN_CONFIG",
        "BANTIN_DATA_DIR",
        "BANTIN_DATABASE_URL",
        "BANTIN_LISTEN",
        "BANTIN_SITE_NAME",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

pub fn run(cmd: &mut Command) -> (Output, String, String) {
    let out = cmd.output().expect("bantin runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

/// Starts `bantin serve` on a free port; returns the child and its address.
pub fn serve(
    args: &[&str],
) -> (
    Server,
    String,
    std::io::Lines<BufReader<std::process::ChildStdout>>,
) {
    let mut child = bantin()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .env("BANTIN_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("serve logs its address").unwrap();
        if let Some(rest) = line.split("serving on http://").nth(1) {
            // Text or JSON logs: the address ends at the first character
            // that cannot be part of it.
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || ".:[]".contains(c)))
                .unwrap_or(rest.len());
            break rest[..end].to_owned();
        }
    };
    (Server(child), address, lines)
}

/// A served `bantin`, killed if the test fails before stopping it (so no
/// orphan holds the test's output open).
pub struct Server(std::process::Child);

impl std::ops::Deref for Server {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

pub fn http_get(address: &str, path: &str, user_agent: &str) -> String {
    let mut s = std::net::TcpStream::connect(address).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nUser-Agent: {user_agent}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    response
}

pub fn sigterm(child: &mut std::process::Child) {
    assert!(
        Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .unwrap()
            .success()
    );
    assert!(child.wait().unwrap().success());
}

/// A response read off the wire.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    /// A header's value (names compared case-insensitively), or "".
    pub fn header(&self, name: &str) -> &str {
        self.head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }
}

/// Sends one raw request (which should say `Connection: close`) and reads
/// the whole answer; `None` when the connection fails or is cut.
pub fn exchange(address: &str, request: &[u8]) -> Option<Reply> {
    let mut s = std::net::TcpStream::connect(address).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .ok()?;
    s.write_all(request).ok()?;
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some(Reply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    })
}

/// A GET of the site at `host` on a served `bantin`.
pub fn get_on(address: &str, host: &str, path: &str) -> Option<Reply> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: curl/8\r\nConnection: close\r\n\r\n"
    );
    exchange(address, request.as_bytes())
}

/// Asks until `ok` holds of the answer, for at most `seconds`.
pub fn eventually(seconds: u64, mut ok: impl FnMut() -> bool) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while std::time::Instant::now() < until {
        if ok() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    false
}

/// A request with the given extra header lines and body.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A multipart/form-data body and its content type.
pub fn multipart(fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "----bantin-process-boundary-q2v8";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Logs in over HTTP; returns the session cookie and the CSRF token.
pub fn login(address: &str, username: &str, password: &str) -> (String, String) {
    let form = serde_urlencoded::to_string([
        ("username", username),
        ("password", password),
        ("tiep", "/admin"),
    ])
    .unwrap();
    let r = exchange(
        address,
        &request(
            "POST",
            "/dang-nhap",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Sec-Fetch-Site", "same-origin"),
            ],
            form.as_bytes(),
        ),
    )
    .expect("login answers");
    assert_eq!(r.status, 303, "login failed: {}", r.body);
    let cookie = r.header("set-cookie").split(';').next().unwrap().to_owned();
    let admin = exchange(
        address,
        &request("GET", "/admin", &[("Cookie", &cookie)], b""),
    )
    .expect("admin answers");
    assert_eq!(admin.status, 200);
    (cookie, super::csrf_of(&admin.body))
}

//! Fake AWS pieces on loopback for the RDS IAM tests: an ECS container
//! credentials endpoint and an EC2 IMDSv2 endpoint serving rotating,
//! expiring credentials, and a PostgreSQL front end that checks the IAM
//! token's SigV4 signature like RDS Proxy does. Nothing here calls AWS.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::{digest, hmac};
use secure_pg::credentials::iam::TokenParams;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// The authorization token the fake ECS endpoint requires.
pub const ECS_AUTH_TOKEN: &str = "fake-ecs-authorization-token";
/// The instance profile role the fake IMDS serves.
pub const IMDS_ROLE: &str = "fake-instance-role";

/// Rotating credentials: generation `n` is access key `ASIAFAKE{n}`,
/// secret `fake-secret-key-{n}`, session token `fake-session-{n}`. Each
/// request to an endpoint serves the current generation, expiring
/// `lifetime` after it is served; [`rotate`](Self::rotate) moves on.
#[derive(Debug)]
pub struct RotatingCredentials {
    generation: AtomicUsize,
    lifetime_secs: AtomicU64,
    down: AtomicBool,
    served: AtomicUsize,
}

impl RotatingCredentials {
    /// Starts at generation 0.
    pub fn new(lifetime: Duration) -> Arc<Self> {
        Arc::new(RotatingCredentials {
            generation: AtomicUsize::new(0),
            lifetime_secs: AtomicU64::new(lifetime.as_secs()),
            down: AtomicBool::new(false),
            served: AtomicUsize::new(0),
        })
    }
    /// The next generation is served from now on.
    pub fn rotate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
    /// Makes the endpoints answer 500 (or serve again).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
    /// How many credential documents were served.
    pub fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }
    /// Generation `n`'s access key ID.
    pub fn access_key_id(n: usize) -> String {
        format!("ASIAFAKE{n}")
    }
    /// Generation `n`'s secret access key.
    pub fn secret_access_key(n: usize) -> String {
        format!("fake-secret-key-{n}")
    }
    /// Generation `n`'s session token.
    pub fn session_token(n: usize) -> String {
        format!("fake-session-{n}")
    }
    /// The secret and session token of an access key ID, if it is one of ours.
    pub fn lookup(access_key_id: &str) -> Option<(String, String)> {
        let n: usize = access_key_id.strip_prefix("ASIAFAKE")?.parse().ok()?;
        Some((Self::secret_access_key(n), Self::session_token(n)))
    }

    fn document(&self, imds: bool) -> String {
        self.served.fetch_add(1, Ordering::SeqCst);
        let n = self.generation.load(Ordering::SeqCst);
        let now = SystemTime::now();
        let expiry = now + Duration::from_secs(self.lifetime_secs.load(Ordering::SeqCst));
        let extra = if imds {
            format!(
                "\"Code\":\"Success\",\"Type\":\"AWS-HMAC\",\"LastUpdated\":\"{}\",",
                rfc3339(now)
            )
        } else {
            String::new()
        };
        format!(
            "{{{extra}\"AccessKeyId\":\"{}\",\"SecretAccessKey\":\"{}\",\"Token\":\"{}\",\"Expiration\":\"{}\"}}",
            Self::access_key_id(n),
            Self::secret_access_key(n),
            Self::session_token(n),
            rfc3339(expiry)
        )
    }
}

/// Starts a fake ECS container credentials endpoint; point
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` at `http://{addr}/creds` with
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` = [`ECS_AUTH_TOKEN`].
pub async fn start_fake_ecs_endpoint(creds: Arc<RotatingCredentials>) -> SocketAddr {
    serve_http(move |method, path, headers| {
        if creds.down.load(Ordering::SeqCst) {
            return (500, "{\"message\":\"down\"}".into());
        }
        let authorized = header(headers, "authorization") == Some(ECS_AUTH_TOKEN);
        match (method, path, authorized) {
            (_, _, false) => (403, "{\"message\":\"bad authorization\"}".into()),
            ("GET", "/creds", true) => (200, creds.document(false)),
            _ => (404, String::new()),
        }
    })
    .await
}

/// Starts a fake EC2 IMDSv2 endpoint; point
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` at `http://{addr}/`. Requests need
/// a session token from `PUT /latest/api/token`.
pub async fn start_fake_imds(creds: Arc<RotatingCredentials>) -> SocketAddr {
    const SESSION: &str = "fake-imds-session-token";
    serve_http(move |method, path, headers| {
        if creds.down.load(Ordering::SeqCst) {
            return (500, String::new());
        }
        if method == "PUT" && path == "/latest/api/token" {
            if header(headers, "x-aws-ec2-metadata-token-ttl-seconds").is_none() {
                return (400, String::new());
            }
            return (200, SESSION.into());
        }
        if header(headers, "x-aws-ec2-metadata-token") != Some(SESSION) {
            return (401, String::new());
        }
        let rest = path
            .strip_prefix("/latest/meta-data/iam/security-credentials/")
            .or_else(|| path.strip_prefix("/latest/meta-data/iam/security-credentials-extended/"));
        match rest {
            Some("") => (200, IMDS_ROLE.into()),
            Some(role) if role == IMDS_ROLE => (200, creds.document(true)),
            _ => (404, String::new()),
        }
    })
    .await
}

type Handler = dyn Fn(&str, &str, &[(String, String)]) -> (u16, String) + Send + Sync;

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A minimal HTTP/1.1 server: one request per connection, no bodies read.
/// Every response carries the TTL header IMDSv2 sends with its token.
async fn serve_http(
    handler: impl Fn(&str, &str, &[(String, String)]) -> (u16, String) + Send + Sync + 'static,
) -> SocketAddr {
    let handler: Arc<Handler> = Arc::new(handler);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&buf).into_owned();
                let mut lines = text.split("\r\n");
                let mut first = lines.next().unwrap_or_default().split(' ');
                let method = first.next().unwrap_or_default().to_owned();
                let path = first.next().unwrap_or_default().to_owned();
                let headers: Vec<(String, String)> = lines
                    .take_while(|l| !l.is_empty())
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                    .collect();
                let (status, body) = handler(&method, &path, &headers);
                let response = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                     X-aws-ec2-metadata-token-ttl-seconds: 21600\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(response.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    addr
}

/// What the fake IAM front end saw.
#[derive(Debug, Default)]
pub struct IamLog {
    /// The access key IDs of tokens whose signature checked out, in order.
    pub accepted: Vec<String>,
    /// Why tokens were refused, in order.
    pub refused: Vec<String>,
}

/// Starts a PostgreSQL front end with a valid TLS certificate for
/// `localhost` that asks for a cleartext password, checks it as an RDS IAM
/// token for `host:port`, `user`, `region` (the signature recomputed with
/// the secret key of the token's access key ID, see
/// [`RotatingCredentials::lookup`], and the session token matching), and
/// then plays a server just far enough for a connection to open (it answers
/// every query with the one row of the client's TLS check). A bad token
/// gets `28P01`.
pub async fn start_fake_iam_server(user: &str, region: &str) -> (SocketAddr, Arc<Mutex<IamLog>>) {
    let acceptor = crate::fake::tls_acceptor();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(IamLog::default()));
    let params = TokenParams {
        host: "localhost".into(),
        port: addr.port(),
        user: user.into(),
        region: region.into(),
    };
    let log2 = log.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let (acceptor, params, log) = (acceptor.clone(), params.clone(), log2.clone());
            tokio::spawn(async move {
                let mut req = [0u8; 8];
                if sock.read_exact(&mut req).await.is_err() || sock.write_all(b"S").await.is_err() {
                    return;
                }
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    return;
                };
                let _ = iam_session(&mut tls, &params, &log).await;
            });
        }
    });
    (addr, log)
}

async fn iam_session<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    params: &TokenParams,
    log: &Mutex<IamLog>,
) -> std::io::Result<()> {
    let len = s.read_u32().await? as usize;
    let mut startup = vec![0u8; len.saturating_sub(4)];
    s.read_exact(&mut startup).await?;
    // AuthenticationCleartextPassword.
    s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]).await?;
    let (tag, body) = read_message(s).await?;
    let token = String::from_utf8_lossy(body.strip_suffix(b"\0").unwrap_or(&body)).into_owned();
    let verdict = if tag == b'p' {
        verify_token(&token, params)
    } else {
        Err("no password message".into())
    };
    match verdict {
        Err(why) => {
            log.lock().unwrap().refused.push(why);
            let body = "SFATAL\0VFATAL\0C28P01\0MPAM authentication failed\0\0";
            let mut msg = vec![b'E'];
            msg.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
            msg.extend_from_slice(body.as_bytes());
            s.write_all(&msg).await?;
            return s.flush().await;
        }
        Ok(access_key_id) => log.lock().unwrap().accepted.push(access_key_id),
    }
    let mut out = vec![b'R', 0, 0, 0, 8, 0, 0, 0, 0];
    for (k, v) in [
        ("server_version", "17.0"),
        ("server_encoding", "UTF8"),
        ("client_encoding", "UTF8"),
        ("integer_datetimes", "on"),
        ("standard_conforming_strings", "on"),
    ] {
        let body = format!("{k}\0{v}\0");
        out.push(b'S');
        out.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
        out.extend_from_slice(body.as_bytes());
    }
    out.extend_from_slice(&[b'K', 0, 0, 0, 12, 0, 0, 0x10, 0x92, 0, 0, 0, 1]);
    out.extend_from_slice(&[b'Z', 0, 0, 0, 5, b'I']);
    s.write_all(&out).await?;
    s.flush().await?;
    loop {
        let (tag, _) = read_message(s).await?;
        match tag {
            b'Q' => {
                let cols = ["ssl", "sslversion", "sslcipher", "pid"];
                let vals = ["t", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "4242"];
                let mut out = Vec::new();
                let mut rd = (cols.len() as u16).to_be_bytes().to_vec();
                for c in cols {
                    rd.extend_from_slice(c.as_bytes());
                    rd.push(0);
                    rd.extend_from_slice(&[
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
                    ]);
                }
                frame(&mut out, b'T', &rd);
                let mut dr = (vals.len() as u16).to_be_bytes().to_vec();
                for v in vals {
                    dr.extend_from_slice(&(v.len() as u32).to_be_bytes());
                    dr.extend_from_slice(v.as_bytes());
                }
                frame(&mut out, b'D', &dr);
                frame(&mut out, b'C', b"SELECT 1\0");
                frame(&mut out, b'Z', b"I");
                s.write_all(&out).await?;
                s.flush().await?;
            }
            b'X' => return Ok(()),
            _ => {}
        }
    }
}

fn frame(out: &mut Vec<u8>, tag: u8, body: &[u8]) {
    out.push(tag);
    out.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    out.extend_from_slice(body);
}

async fn read_message<S: AsyncRead + Unpin>(s: &mut S) -> std::io::Result<(u8, Vec<u8>)> {
    let tag = s.read_u8().await?;
    let len = s.read_u32().await? as usize;
    let mut body = vec![0u8; len.saturating_sub(4)];
    s.read_exact(&mut body).await?;
    Ok((tag, body))
}

/// Checks an IAM token as the server side would: the endpoint, user and
/// region it names, the session token of its access key, and the SigV4
/// signature recomputed with that key's secret. Returns the access key ID.
pub fn verify_token(token: &str, params: &TokenParams) -> Result<String, String> {
    let (authority, query) = token.split_once("/?").ok_or("not a token")?;
    if authority != format!("{}:{}", params.host, params.port) {
        return Err(format!("token for another endpoint: {authority}"));
    }
    let get = |name: &str| -> Option<String> {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| percent_decode(v))
    };
    if get("Action").as_deref() != Some("connect") || get("DBUser").as_deref() != Some(&params.user)
    {
        return Err("wrong action or user".into());
    }
    let credential = get("X-Amz-Credential").ok_or("no credential")?;
    let mut parts = credential.split('/');
    let access_key_id = parts.next().unwrap_or_default().to_owned();
    let region = parts.nth(1).unwrap_or_default();
    if region != params.region {
        return Err(format!("signed for region {region}"));
    }
    let (secret, session) =
        RotatingCredentials::lookup(&access_key_id).ok_or("unknown access key")?;
    if get("X-Amz-Security-Token").as_deref() != Some(&session) {
        return Err(format!("{access_key_id}: wrong session token"));
    }
    let signed_at = parse_amz_date(&get("X-Amz-Date").ok_or("no date")?).ok_or("bad date")?;
    let age = SystemTime::now()
        .duration_since(signed_at)
        .unwrap_or_default();
    if age > secure_pg::credentials::iam::TOKEN_LIFETIME {
        return Err("expired token".into());
    }
    let expected = sigv4_signature(authority, query, &credential, &secret)?;
    if get("X-Amz-Signature").as_deref() != Some(expected.as_str()) {
        return Err(format!("{access_key_id}: signature does not match"));
    }
    Ok(access_key_id)
}

/// The SigV4 signature of a presigned `GET /` as a server recomputes it,
/// independently of the signer under test (`aws-sigv4`): the query
/// parameters other than `X-Amz-Signature`, decoded, re-encoded and
/// sorted; the lower-case `host` header without port 443; the HMAC-SHA256
/// key chain from `AWS4{secret}` over the credential scope.
fn sigv4_signature(
    authority: &str,
    query: &str,
    credential: &str,
    secret: &str,
) -> Result<String, String> {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .filter(|(k, _)| *k != "X-Amz-Signature")
        .map(|(k, v)| (encode(&percent_decode(k)), encode(&percent_decode(v))))
        .collect();
    pairs.sort();
    let canonical_query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let host = authority.to_ascii_lowercase();
    let host = host.strip_suffix(":443").unwrap_or(&host);
    let sha_hex = |b: &[u8]| hex(digest::digest(&digest::SHA256, b).as_ref());
    let canonical_request = format!(
        "GET\n/\n{}\nhost:{host}\n\nhost\n{}",
        canonical_query.join("&"),
        sha_hex(b"")
    );
    let amz_date = pairs
        .iter()
        .find(|(k, _)| k == "X-Amz-Date")
        .map(|(_, v)| v.clone())
        .ok_or("no date")?;
    let scope = credential.split_once('/').ok_or("bad credential")?.1;
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        sha_hex(canonical_request.as_bytes())
    );
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in scope.split('/') {
        key = hmac_sha256(&key, part.as_bytes());
    }
    Ok(hex(&hmac_sha256(&key, string_to_sign.as_bytes())))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SigV4 URI encoding: all but the RFC 3986 unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_amz_date(s: &str) -> Option<SystemTime> {
    if s.len() != 16 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let days = days_from_civil(n(0..4)?, n(4..6)?, n(6..8)?);
    let secs = days * 86_400 + n(9..11)? * 3600 + n(11..13)? * 60 + n(13..15)?;
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

/// `t` as RFC 3339 in UTC, whole seconds.
fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

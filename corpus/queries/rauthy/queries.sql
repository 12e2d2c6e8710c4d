-- from: src/data/src/database.rs:201
SELECT 1;

-- from: src/data/src/entity/api_keys.rs:57
INSERT INTO
api_keys (name, secret, created, expires, enc_key_id, access)
VALUES ($1, $2, $3, $4, $5, $6);

-- from: src/data/src/entity/api_keys.rs:112
DELETE FROM api_keys WHERE name = $1;

-- from: src/data/src/entity/api_keys.rs:124
SELECT * FROM api_keys WHERE name = $1;

-- from: src/data/src/entity/api_keys.rs:135
SELECT * FROM api_keys;

-- from: src/data/src/entity/api_keys.rs:172
UPDATE api_keys SET secret = $1, enc_key_id = $2, access = $3 WHERE name = $4;

-- from: src/data/src/entity/api_keys.rs:218
UPDATE api_keys
SET secret = $1, expires = $2, enc_key_id = $3, access = $4
WHERE name = $5;

-- from: src/data/src/entity/app_version.rs:33
SELECT data FROM config WHERE id = 'latest_version';

-- from: src/data/src/entity/app_version.rs:87
INSERT INTO config (id, data) VALUES ('latest_version', $1)
ON CONFLICT(id) DO UPDATE SET data = $1;

-- from: src/data/src/entity/auth_providers.rs:228
INSERT INTO
auth_providers (id, name, enabled, typ, issuer, authorization_endpoint, token_endpoint,
userinfo_endpoint, jwks_endpoint, client_id, secret, scope, admin_claim_path, admin_claim_value,
mfa_claim_path, mfa_claim_value, use_pkce, client_secret_basic, client_secret_post, auto_onboarding,
auto_link)
VALUES
($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21);

-- from: src/data/src/entity/auth_providers.rs:276
SELECT * FROM auth_providers WHERE id = $1;

-- from: src/data/src/entity/auth_providers.rs:292
SELECT * FROM auth_providers WHERE issuer = $1;

-- from: src/data/src/entity/auth_providers.rs:308
SELECT * FROM auth_providers;

-- from: src/data/src/entity/auth_providers.rs:332
SELECT id, email FROM users WHERE auth_provider_id = $1;

-- from: src/data/src/entity/auth_providers.rs:343
DELETE FROM auth_providers WHERE id = $1;

-- from: src/data/src/entity/auth_providers.rs:398
UPDATE auth_providers
SET name = $1, enabled = $2, issuer = $3, typ = $4, authorization_endpoint = $5,
token_endpoint = $6, userinfo_endpoint = $7, jwks_endpoint = $8, client_id = $9, secret = $10,
scope = $11, admin_claim_path = $12, admin_claim_value = $13, mfa_claim_path = $14,
mfa_claim_value = $15, use_pkce = $16, client_secret_basic = $17, client_secret_post = $18,
auto_onboarding = $19, auto_link = $20
WHERE id = $21;

-- from: src/data/src/entity/ca_self_signed.rs:52
SELECT data FROM config WHERE id = 'ca';

-- from: src/data/src/entity/ca_self_signed.rs:87
INSERT INTO config (id, data)
VALUES ($1, $2)
ON CONFLICT (id) DO UPDATE
SET data = $2;

-- from: src/data/src/entity/clients.rs:199
INSERT INTO clients (id, name, enabled, confidential, secret, secret_kid, redirect_uris,
post_logout_redirect_uris, allowed_origins, flows_enabled, access_token_alg, id_token_alg,
auth_code_lifetime, access_token_lifetime, scopes, default_scopes, challenge, force_mfa,
client_uri, contacts, backchannel_logout_uri, restrict_group_prefix, allowed_resources,
default_aud)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
$18, $19, $20, $21, $22, $23, $24);

-- from: src/data/src/entity/clients.rs:305
INSERT INTO clients (id, name, enabled, confidential, secret, secret_kid, redirect_uris,
post_logout_redirect_uris, allowed_origins, flows_enabled, access_token_alg, id_token_alg,
auth_code_lifetime, access_token_lifetime, scopes, default_scopes, challenge, force_mfa,
client_uri, contacts, backchannel_logout_uri, restrict_group_prefix)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
$21, $22);

-- from: src/data/src/entity/clients.rs:334
INSERT INTO
clients_dyn (id, created, registration_token, token_endpoint_auth_method)
VALUES ($1, $2, $3, $4);

-- from: src/data/src/entity/clients.rs:366
DELETE FROM clients WHERE id = $1;

-- from: src/data/src/entity/clients.rs:403
SELECT * FROM clients WHERE id = $1;

-- from: src/data/src/entity/clients.rs:418
SELECT * FROM clients;

-- from: src/data/src/entity/clients.rs:433
SELECT * FROM clients WHERE backchannel_logout_uri IS NOT NULL;

-- from: src/data/src/entity/clients.rs:458
SELECT client_uri FROM clients WHERE client_uri IS NOT NULL;

-- from: src/data/src/entity/clients.rs:503
SELECT * FROM clients WHERE scopes LIKE $1 OR default_scopes LIKE $1;

-- from: src/data/src/entity/clients.rs:573
UPDATE clients
SET name = $1, enabled = $2, confidential = $3, secret = $4, secret_kid = $5, redirect_uris = $6,
    post_logout_redirect_uris = $7, allowed_origins = $8, flows_enabled = $9, access_token_alg = $10,
    id_token_alg = $11, auth_code_lifetime = $12, access_token_lifetime = $13, scopes = $14,
    default_scopes = $15, challenge = $16, force_mfa= $17, client_uri = $18, contacts = $19,
    backchannel_logout_uri = $20, restrict_group_prefix = $21, claims = $22,
    claims_at_root = $23, allowed_resources = $24, default_aud = $25
WHERE id = $26;

-- from: src/data/src/entity/clients.rs:765
UPDATE clients_dyn
SET registration_token = $1, token_endpoint_auth_method = $2, last_used = $3
WHERE id = $4;

-- from: src/data/src/entity/clients_dyn.rs:45
SELECT * FROM clients_dyn WHERE id = $1;

-- from: src/data/src/entity/clients_dyn.rs:67
UPDATE clients_dyn SET last_used = $1 WHERE id = $2;

-- from: src/data/src/entity/clients_scim.rs:101
INSERT INTO clients_scim (client_id, bearer_token, base_endpoint, sync_groups, group_sync_prefix)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (client_id) DO UPDATE
SET bearer_token = $2, base_endpoint = $3, sync_groups = $4, group_sync_prefix = $5;

-- from: src/data/src/entity/clients_scim.rs:122
SELECT * FROM clients_scim WHERE client_id = $1;

-- from: src/data/src/entity/clients_scim.rs:144
SELECT * FROM clients_scim;

-- from: src/data/src/entity/clients_scim.rs:174
DELETE FROM clients_scim WHERE client_id = $1;

-- from: src/data/src/entity/db_version.rs:29
SELECT * FROM config WHERE id = 'db_version';

-- from: src/data/src/entity/db_version.rs:52
INSERT INTO config (id, data)
VALUES ('db_version', $1)
ON CONFLICT(id) DO UPDATE SET data = $1;

-- from: src/data/src/entity/db_version.rs:70
SELECT id FROM config LIMIT 1;

-- from: src/data/src/entity/db_version.rs:144
SELECT * FROM pg_tables WHERE tablename = 'passkeys' LIMIT 1;

-- from: src/data/src/entity/db_version.rs:169
SELECT * FROM pg_tables WHERE tablename = 'clients' LIMIT 1;

-- from: src/data/src/entity/devices.rs:53
INSERT INTO devices
(id, client_id, user_id, created, access_exp, refresh_exp, peer_ip, name)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- from: src/data/src/entity/devices.rs:77
SELECT * FROM devices WHERE id = $1;

-- from: src/data/src/entity/devices.rs:87
SELECT * FROM devices WHERE user_id = $1;

-- from: src/data/src/entity/devices.rs:105
DELETE FROM devices
WHERE access_exp < $1 AND (refresh_exp < $1 OR refresh_exp is null);

-- from: src/data/src/entity/devices.rs:117
DELETE FROM devices WHERE id = $1;

-- from: src/data/src/entity/devices.rs:131
UPDATE devices SET refresh_exp = null WHERE id = $1;

-- from: src/data/src/entity/devices.rs:148
UPDATE devices SET name = $1 WHERE id = $2 AND user_id = $3;

-- from: src/data/src/entity/email_jobs.rs:155
UPDATE email_jobs SET status = $1 WHERE id = $2;

-- from: src/data/src/entity/email_jobs.rs:202
INSERT INTO email_jobs (id, scheduled, status, updated, filter, content_type, subject, body)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING *;

-- from: src/data/src/entity/email_jobs.rs:227
SELECT * FROM email_jobs WHERE id = $1;

-- from: src/data/src/entity/email_jobs.rs:239
SELECT * FROM email_jobs ORDER BY id DESC;

-- from: src/data/src/entity/email_jobs.rs:260
SELECT * FROM email_jobs
WHERE status = 0 AND updated < $2 AND (scheduled IS NULL OR scheduled <= $1);

-- from: src/data/src/entity/email_jobs.rs:293
UPDATE email_jobs
SET scheduled = $1, status = $2, updated = $3, last_user_ts = $4
WHERE id = $5;

-- from: src/data/src/entity/failed_backchannel_logout.rs:36
INSERT INTO failed_backchannel_logouts (client_id, sub, sid, retry_count)
VALUES ($1, $2, $3, 0)
ON CONFLICT (client_id, sub, sid)
DO UPDATE SET retry_count = retry_count + 1;

-- from: src/data/src/entity/failed_backchannel_logout.rs:47
SELECT * FROM failed_backchannel_logouts;

-- from: src/data/src/entity/failed_backchannel_logout.rs:63
DELETE FROM failed_backchannel_logouts
WHERE client_id = $1 AND sub = $2 AND sid = $3;

-- from: src/data/src/entity/failed_backchannel_logout.rs:74
DELETE FROM failed_backchannel_logouts WHERE client_id = $1;

-- from: src/data/src/entity/failed_scim_tasks.rs:89
INSERT INTO failed_scim_tasks (client_id, action, retry_count)
VALUES ($1, $2, 0)
ON CONFLICT (client_id, action)
DO UPDATE SET retry_count = retry_count + 1;

-- from: src/data/src/entity/failed_scim_tasks.rs:101
SELECT * FROM failed_scim_tasks;

-- from: src/data/src/entity/failed_scim_tasks.rs:116
DELETE FROM failed_scim_tasks WHERE client_id = $1 AND action = $2;

-- from: src/data/src/entity/groups.rs:58
INSERT INTO groups (id, name, meta) VALUES ($1, $2, $3);

-- from: src/data/src/entity/groups.rs:95
DELETE FROM groups WHERE id = $1;

-- from: src/data/src/entity/groups.rs:113
SELECT * FROM groups WHERE id = $1;

-- from: src/data/src/entity/groups.rs:130
SELECT * FROM groups;

-- from: src/data/src/entity/groups.rs:165
UPDATE groups SET meta = $1 WHERE id = $2;

-- from: src/data/src/entity/groups.rs:207
UPDATE groups SET name = $1, meta = $2 WHERE id = $3;

-- from: src/data/src/entity/issued_tokens.rs:29
DELETE FROM issued_tokens WHERE exp < $1;

-- from: src/data/src/entity/issued_tokens.rs:78
INSERT INTO issued_tokens (jti, user_id, did, sid, exp)
VALUES ($1, $2, $3, $4, $5);

-- from: src/data/src/entity/issued_tokens.rs:94
UPDATE issued_tokens SET revoked = $1 WHERE jti = $2;

-- from: src/data/src/entity/issued_tokens.rs:106
UPDATE issued_tokens SET revoked = $1;

-- from: src/data/src/entity/issued_tokens.rs:118
UPDATE issued_tokens SET revoked = $1 WHERE did = $2;

-- from: src/data/src/entity/issued_tokens.rs:137
UPDATE issued_tokens SET revoked = $1 WHERE user_id = $2;

-- from: src/data/src/entity/issued_tokens.rs:137
UPDATE issued_tokens SET revoked = $1 WHERE user_id = $2 AND did IS NULL;

-- from: src/data/src/entity/issued_tokens.rs:156
UPDATE issued_tokens SET revoked = $1 WHERE sid = $2;

-- from: src/data/src/entity/issued_tokens.rs:156
UPDATE issued_tokens SET revoked = $1 WHERE sid = $2 AND did IS NULL;

-- from: src/data/src/entity/issued_tokens.rs:169
SELECT * FROM issued_tokens WHERE jti = $1;

-- from: src/data/src/entity/jwk.rs:75
INSERT INTO jwks (kid, created_at, signature, enc_key_id, jwk)
VALUES ($1, $2, $3, $4, $5);

-- from: src/data/src/entity/jwk.rs:129
SELECT * FROM jwks;

-- from: src/data/src/entity/jwk.rs:675
SELECT * FROM jwks WHERE kid = $1;

-- from: src/data/src/entity/jwk.rs:705
SELECT * FROM jwks
WHERE signature = $1
ORDER BY created_at DESC
LIMIT 1;

-- from: src/data/src/entity/kv.rs:26
INSERT INTO kv_ns (ns, public) VALUES ($1, $2);

-- from: src/data/src/entity/kv.rs:38
SELECT * FROM kv_ns WHERE ns = $1;

-- from: src/data/src/entity/kv.rs:50
SELECT * FROM kv_ns;

-- from: src/data/src/entity/kv.rs:68
UPDATE kv_ns SET ns = $1, public = $2 WHERE ns = $3;

-- from: src/data/src/entity/kv.rs:80
DELETE FROM kv_ns WHERE ns = $1;

-- from: src/data/src/entity/kv.rs:130
INSERT INTO kv_values (ns, key, encrypted, value) VALUES ($1, $2, $3, $4);

-- from: src/data/src/entity/kv.rs:156
UPDATE kv_values SET encrypted = $1, value = $2 WHERE ns = $3 AND key = $4;

-- from: src/data/src/entity/kv.rs:181
INSERT INTO kv_values (ns, key, encrypted, value)
VALUES ($1, $2, $3, $4)
ON CONFLICT (ns, key) DO UPDATE SET encrypted = $3, value = $4;

-- from: src/data/src/entity/kv.rs:192
DELETE FROM kv_values WHERE ns = $1 AND key = $2;

-- from: src/data/src/entity/kv.rs:203
SELECT * FROM kv_values WHERE ns = $1 AND key = $2;

-- from: src/data/src/entity/kv.rs:222
SELECT * FROM kv_values
WHERE ns = $1 AND key LIKE $2
ORDER BY key
LIMIT $3;

-- from: src/data/src/entity/kv.rs:229
SELECT * FROM kv_values WHERE ns = $1 ORDER BY key LIMIT $2;

-- from: src/data/src/entity/kv.rs:242
SELECT * FROM kv_values WHERE encrypted = true;

-- from: src/data/src/entity/kv.rs:267
SELECT key FROM kv_values
WHERE ns = $1 AND key LIKE $2
ORDER BY key
LIMIT $3;

-- from: src/data/src/entity/kv.rs:289
SELECT key FROM kv_values
WHERE ns = $1
ORDER BY key
LIMIT $2;

-- from: src/data/src/entity/kv.rs:315
UPDATE kv_values SET value = $1 WHERE ns = $2 AND key = $3;

-- from: src/data/src/entity/kv.rs:394
INSERT INTO kv_access (id, ns, secret, enabled, name) VALUES ($1, $2, $3, $4, $5);

-- from: src/data/src/entity/kv.rs:415
UPDATE kv_access SET enabled = $1, name = $2 WHERE id = $3;

-- from: src/data/src/entity/kv.rs:425
DELETE FROM kv_access WHERE id = $1;

-- from: src/data/src/entity/kv.rs:440
UPDATE kv_access SET secret = $1 WHERE id = $2;

-- from: src/data/src/entity/kv.rs:473
SELECT * FROM kv_access WHERE id = $1;

-- from: src/data/src/entity/kv.rs:512
SELECT * FROM kv_access WHERE ns = $1;

-- from: src/data/src/entity/kv.rs:523
SELECT * FROM kv_access;

-- from: src/data/src/entity/login_locations.rs:54
INSERT INTO login_locations (user_id, browser_id, ip, last_seen, user_agent, location)
VALUES ($1, $2, $3, $4, $5, $6);

-- from: src/data/src/entity/login_locations.rs:76
DELETE FROM login_locations WHERE user_id = $1;

-- from: src/data/src/entity/login_locations.rs:92
SELECT * FROM login_locations WHERE user_id = $1 AND browser_id = $2;

-- from: src/data/src/entity/login_locations.rs:107
SELECT * FROM login_locations WHERE user_id = $1 AND ip = $2;

-- from: src/data/src/entity/login_locations.rs:134
UPDATE login_locations
SET last_seen = $1, ip = $2, location = $3
WHERE user_id = $4 AND browser_id = $5;

-- from: src/data/src/entity/login_locations.rs:159
UPDATE login_locations
SET last_seen = $1, location = $2
WHERE user_id = $3 AND browser_id = $4 AND ip = $5;

-- from: src/data/src/entity/logos.rs:85
DELETE FROM client_logos WHERE client_id = $1;

-- from: src/data/src/entity/logos.rs:93
DELETE FROM auth_provider_logos WHERE auth_provider_id = $1;

-- from: src/data/src/entity/logos.rs:256
INSERT INTO client_logos (client_id, res, content_type, data, updated)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT(client_id, res) DO UPDATE
SET content_type = $3, data = $4, updated = $5;

-- from: src/data/src/entity/logos.rs:256
INSERT INTO auth_provider_logos (auth_provider_id, res, content_type, data, updated)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT(auth_provider_id, res) DO UPDATE
SET content_type = $3, data = $4, updated = $5;

-- from: src/data/src/entity/logos.rs:319
SELECT client_id AS id, res, content_type, data, updated
FROM client_logos
WHERE client_id = $1 AND (res = $2 OR res = $3);

-- from: src/data/src/entity/logos.rs:319
SELECT auth_provider_id AS id, res, content_type, data, updated
FROM auth_provider_logos
WHERE auth_provider_id = $1 AND (res = $2 OR res = $3);

-- from: src/data/src/entity/logos.rs:363
SELECT updated FROM client_logos WHERE client_id = $1 LIMIT 1;

-- from: src/data/src/entity/logos.rs:363
SELECT updated FROM auth_provider_logos WHERE auth_provider_id = $1 LIMIT 1;

-- from: src/data/src/entity/magic_links.rs:156
INSERT INTO magic_links (id, user_id, csrf_token, exp, used, usage)
VALUES ($1, $2, $3, $4, $5, $6);

-- from: src/data/src/entity/magic_links.rs:178
DELETE FROM magic_links WHERE user_id = $1 AND usage LIKE 'password_reset%';

-- from: src/data/src/entity/magic_links.rs:189
SELECT * FROM magic_links WHERE id = $1;

-- from: src/data/src/entity/magic_links.rs:200
SELECT * FROM magic_links WHERE user_id = $1;

-- from: src/data/src/entity/magic_links.rs:211
DELETE FROM magic_links WHERE user_id = $1 AND usage LIKE 'email_change$%';

-- from: src/data/src/entity/magic_links.rs:224
UPDATE magic_links SET cookie = $1, exp = $2, used = $3 WHERE id = $4;

-- from: src/data/src/entity/pam/authorized_keys.rs:56
SELECT 1 FROM ssh_auth_keys_used WHERE used_key_hash = $1 LIMIT 1;

-- from: src/data/src/entity/pam/authorized_keys.rs:86
INSERT INTO ssh_auth_keys (pam_uid, ts_added, expires, typ, data, comment)
VALUES ($1, $2, $3, $4, $5, $6);

-- from: src/data/src/entity/pam/authorized_keys.rs:107
SELECT * FROM ssh_auth_keys WHERE pam_uid = (
    SELECT id FROM pam_users WHERE name = $1
);

-- from: src/data/src/entity/pam/authorized_keys.rs:119
SELECT * FROM ssh_auth_keys WHERE pam_uid = $1;

-- from: src/data/src/entity/pam/authorized_keys.rs:133
SELECT * FROM ssh_auth_keys WHERE pam_uid = $1 AND ts_added = $2;

-- from: src/data/src/entity/pam/authorized_keys.rs:148
SELECT * FROM ssh_auth_keys WHERE expires IS NOT NULL AND expires < $1;

-- from: src/data/src/entity/pam/authorized_keys.rs:188
INSERT INTO ssh_auth_keys_used (used_key_hash, ts_added)
VALUES ($1, $2)
ON CONFLICT (used_key_hash) DO NOTHING;

-- from: src/data/src/entity/pam/authorized_keys.rs:190
DELETE FROM ssh_auth_keys WHERE pam_uid = $1 AND ts_added = $2;

-- from: src/data/src/entity/pam/authorized_keys.rs:211
DELETE FROM ssh_auth_keys_used WHERE ts_added < $1;

-- from: src/data/src/entity/pam/authorized_keys.rs:223
UPDATE ssh_auth_keys SET expires = $1 WHERE pam_uid = $2;

-- from: src/data/src/entity/pam/group_user_links.rs:30
SELECT * FROM pam_rel_groups_users;

-- from: src/data/src/entity/pam/group_user_links.rs:42
SELECT * FROM pam_rel_groups_users WHERE gid = $1;

-- from: src/data/src/entity/pam/group_user_links.rs:54
SELECT * FROM pam_rel_groups_users WHERE uid = $1;

-- from: src/data/src/entity/pam/groups.rs:80
INSERT INTO pam_groups (name, typ)
VALUES ($1, $2)
ON CONFLICT (name) DO NOTHING
RETURNING *;

-- from: src/data/src/entity/pam/groups.rs:92
SELECT * FROM pam_groups;

-- from: src/data/src/entity/pam/groups.rs:104
SELECT * FROM pam_groups WHERE id = $1;

-- from: src/data/src/entity/pam/groups.rs:116
SELECT * FROM pam_groups WHERE name = $1;

-- from: src/data/src/entity/pam/groups.rs:150
DELETE FROM pam_groups WHERE id = $1;

-- from: src/data/src/entity/pam/groups.rs:173
SELECT name FROM pam_rel_groups_users pu
JOIN pam_users u ON pu.uid = u.id
WHERE pu.gid = $1;

-- from: src/data/src/entity/pam/hosts.rs:88
INSERT INTO pam_hosts (id, hostname, gid, secret, force_mfa, local_password_only)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- from: src/data/src/entity/pam/hosts.rs:112
SELECT * FROM pam_hosts WHERE id = $1;

-- from: src/data/src/entity/pam/hosts.rs:130
SELECT alias FROM pam_hosts_aliases WHERE host_id = $1;

-- from: src/data/src/entity/pam/hosts.rs:157
SELECT * FROM pam_hosts_aliases;

-- from: src/data/src/entity/pam/hosts.rs:192
SELECT ip FROM pam_hosts_ips WHERE host_id = $1;

-- from: src/data/src/entity/pam/hosts.rs:222
SELECT * FROM pam_hosts_ips;

-- from: src/data/src/entity/pam/hosts.rs:280
SELECT * FROM pam_hosts WHERE id = (
    SELECT host_id FROM pam_hosts_ips
    WHERE ip = $1
    LIMIT 1
);

-- from: src/data/src/entity/pam/hosts.rs:306
SELECT * FROM pam_hosts WHERE hostname = $1 OR id = (
    SELECT host_id FROM pam_hosts_aliases
    WHERE alias = $1
    LIMIT 1
)
LIMIT 1;

-- from: src/data/src/entity/pam/hosts.rs:326
SELECT COUNT(*) AS count FROM pam_hosts WHERE gid = $1;

-- from: src/data/src/entity/pam/hosts.rs:339
SELECT * FROM pam_hosts WHERE gid = $1;

-- from: src/data/src/entity/pam/hosts.rs:364
SELECT * FROM pam_hosts;

-- from: src/data/src/entity/pam/hosts.rs:401
DELETE FROM pam_hosts WHERE id = $1;

-- from: src/data/src/entity/pam/hosts.rs:451
UPDATE pam_hosts
SET hostname = $1, gid = $2, force_mfa = $3, local_password_only = $4, notes = $5
WHERE id = $6;

-- from: src/data/src/entity/pam/hosts.rs:464
DELETE FROM pam_hosts_ips WHERE host_id = $1;

-- from: src/data/src/entity/pam/hosts.rs:465
DELETE FROM pam_hosts_aliases WHERE host_id = $1;

-- from: src/data/src/entity/pam/hosts.rs:468
INSERT INTO pam_hosts_ips (host_id, ip) VALUES ($1, $2);

-- from: src/data/src/entity/pam/hosts.rs:471
INSERT INTO pam_hosts_aliases (host_id, alias) VALUES ($1, $2);

-- from: src/data/src/entity/pam/hosts.rs:488
UPDATE pam_hosts SET secret = $1 WHERE id = $2;

-- from: src/data/src/entity/pam/hosts.rs:513
SELECT name FROM pam_rel_groups_users pu
JOIN pam_users u ON pu.uid = u.id
WHERE pu.gid = $1 AND pu.wheel = $2;

-- from: src/data/src/entity/pam/hosts.rs:537
SELECT 1 FROM pam_rel_groups_users WHERE gid = $1 AND uid = $2;

-- from: src/data/src/entity/pam/users.rs:71
INSERT INTO pam_users (name, gid, email, shell)
VALUES ($1, $2, $3, '/bin/bash')
RETURNING *;

-- from: src/data/src/entity/pam/users.rs:73
INSERT INTO pam_rel_groups_users (gid, uid, wheel)
VALUES ($1, $2, false);

-- from: src/data/src/entity/pam/users.rs:87
SELECT * FROM pam_users WHERE name = $1;

-- from: src/data/src/entity/pam/users.rs:99
SELECT * FROM pam_users WHERE id = $1;

-- from: src/data/src/entity/pam/users.rs:115
SELECT * FROM pam_users WHERE email = (
    SELECT email FROM users WHERE id = $1
);

-- from: src/data/src/entity/pam/users.rs:127
SELECT * FROM pam_users;

-- from: src/data/src/entity/pam/users.rs:148
SELECT u.email AS email FROM users u
LEFT JOIN pam_users pu ON u.email = pu.email
WHERE pu.id IS NULL;

-- from: src/data/src/entity/pam/users.rs:170
UPDATE pam_users SET shell = $1, home_dir = $2 WHERE id = $3;

-- from: src/data/src/entity/pam/users.rs:200
DELETE FROM pam_rel_groups_users WHERE uid = $1;

-- from: src/data/src/entity/pam/users.rs:203
INSERT INTO pam_rel_groups_users (gid, uid, wheel)
VALUES ($1, $2, $3);

-- from: src/data/src/entity/pam/users.rs:233
DELETE FROM pam_users WHERE id = $1;

-- from: src/data/src/entity/pam/users.rs:234
DELETE FROM pam_groups WHERE name = $1 AND typ = $2;

-- from: src/data/src/entity/password.rs:138
SELECT data FROM config WHERE id = 'password_policy';

-- from: src/data/src/entity/password.rs:156
UPDATE config SET data = $1 WHERE id = 'password_policy';

-- from: src/data/src/entity/password.rs:208
INSERT INTO recent_passwords (user_id, passwords) VALUES ($1, $2);

-- from: src/data/src/entity/password.rs:219
SELECT * FROM recent_passwords WHERE user_id = $1;

-- from: src/data/src/entity/password.rs:231
UPDATE recent_passwords SET passwords = $1 WHERE user_id = $2;

-- from: src/data/src/entity/pictures.rs:121
INSERT INTO pictures (id, content_type, storage, data)
VALUES ($1, $2, $3, $4);

-- from: src/data/src/entity/pictures.rs:133
DELETE FROM pictures WHERE id = $1;

-- from: src/data/src/entity/pictures.rs:144
SELECT * FROM pictures WHERE id = $1;

-- from: src/data/src/entity/refresh_tokens.rs:75
DELETE FROM refresh_tokens WHERE id = $1;

-- from: src/data/src/entity/refresh_tokens.rs:85
DELETE FROM refresh_tokens WHERE session_id = $1;

-- from: src/data/src/entity/refresh_tokens.rs:95
SELECT * FROM refresh_tokens;

-- from: src/data/src/entity/refresh_tokens.rs:111
SELECT * FROM refresh_tokens WHERE user_id = $1 AND access_token_jti = $2;

-- from: src/data/src/entity/refresh_tokens.rs:123
UPDATE refresh_tokens SET exp = $1 WHERE exp > $1;

-- from: src/data/src/entity/refresh_tokens.rs:134
DELETE FROM refresh_tokens WHERE user_id = $1;

-- from: src/data/src/entity/refresh_tokens.rs:151
SELECT * FROM refresh_tokens WHERE id = $1 AND exp > $2;

-- from: src/data/src/entity/refresh_tokens.rs:165
SELECT * FROM refresh_tokens WHERE id = $1;

-- from: src/data/src/entity/refresh_tokens.rs:195
INSERT INTO refresh_tokens (id, user_id, nbf, exp, scope, is_mfa, session_id, access_token_jti)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT(id) DO UPDATE
SET user_id = $2, nbf = $3, exp = $4, scope = $5, session_id = $7, access_token_jti = $8;

-- from: src/data/src/entity/refresh_tokens_devices.rs:68
DELETE FROM refresh_tokens_devices WHERE id = $1;

-- from: src/data/src/entity/refresh_tokens_devices.rs:78
SELECT * FROM refresh_tokens_devices;

-- from: src/data/src/entity/refresh_tokens_devices.rs:89
UPDATE refresh_tokens_devices SET exp = $1 WHERE exp > $1;

-- from: src/data/src/entity/refresh_tokens_devices.rs:122
SELECT * FROM refresh_tokens_devices WHERE id = $1 AND exp > $2;

-- from: src/data/src/entity/refresh_tokens_devices.rs:137
SELECT * FROM refresh_tokens_devices WHERE id = $1;

-- from: src/data/src/entity/refresh_tokens_devices.rs:155
SELECT * FROM refresh_tokens_devices WHERE user_id = $1 AND access_token_jti = $2;

-- from: src/data/src/entity/refresh_tokens_devices.rs:166
DELETE FROM refresh_tokens_devices WHERE device_id = $1;

-- from: src/data/src/entity/refresh_tokens_devices.rs:177
DELETE FROM refresh_tokens_devices WHERE user_id = $1;

-- from: src/data/src/entity/refresh_tokens_devices.rs:207
INSERT INTO refresh_tokens_devices
(id, device_id, user_id, nbf, exp, scope, access_token_jti)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT(id) DO UPDATE
SET device_id = $2, user_id = $3, nbf = $4, exp = $5, scope = $6, access_token_jti = $7;

-- from: src/data/src/entity/roles.rs:57
INSERT INTO roles (id, name, meta) VALUES ($1, $2, $3);

-- from: src/data/src/entity/roles.rs:101
DELETE FROM roles WHERE id = $1;

-- from: src/data/src/entity/roles.rs:118
SELECT * FROM roles WHERE id = $1;

-- from: src/data/src/entity/roles.rs:134
SELECT * FROM roles;

-- from: src/data/src/entity/roles.rs:168
UPDATE roles SET meta = $1 WHERE id = $2;

-- from: src/data/src/entity/roles.rs:205
UPDATE roles SET name = $1, meta = $2 WHERE id = $3;

-- from: src/data/src/entity/scopes.rs:96
INSERT INTO scopes (id, name, attr_include_access, attr_include_id, claims_at_root)
VALUES ($1, $2, $3, $4, $5);

-- from: src/data/src/entity/scopes.rs:151
DELETE FROM scopes WHERE id = $1;

-- from: src/data/src/entity/scopes.rs:186
SELECT * FROM scopes WHERE id = $1;

-- from: src/data/src/entity/scopes.rs:202
SELECT * FROM scopes;

-- from: src/data/src/entity/scopes.rs:316
UPDATE scopes
SET name = $1, attr_include_access = $2, attr_include_id = $3, claims_at_root = $4
WHERE id = $5;

-- from: src/data/src/entity/scopes.rs:372
UPDATE scopes
SET attr_include_access = $1, attr_include_id = $2
WHERE id = $3;

-- from: src/data/src/entity/sessions.rs:125
DELETE FROM sessions WHERE id = $1;

-- from: src/data/src/entity/sessions.rs:144
DELETE FROM sessions WHERE user_id = $1 RETURNING id;

-- from: src/data/src/entity/sessions.rs:170
SELECT * FROM sessions WHERE id = $1;

-- from: src/data/src/entity/sessions.rs:186
SELECT * FROM sessions WHERE state = $1 ORDER BY exp DESC;

-- from: src/data/src/entity/sessions.rs:222
SELECT *
FROM sessions
WHERE exp >= $1 AND id != $2 AND state = $3
ORDER BY exp ASC
LIMIT $4
OFFSET $5;

-- from: src/data/src/entity/sessions.rs:249
SELECT *
FROM sessions
WHERE exp <= $1 AND id != $2 AND state = $3
ORDER BY exp DESC
LIMIT $4
OFFSET $5;

-- from: src/data/src/entity/sessions.rs:278
SELECT *
FROM sessions
WHERE state = $1
ORDER BY exp ASC
LIMIT $2
OFFSET $3;

-- from: src/data/src/entity/sessions.rs:300
SELECT *
FROM sessions
WHERE state = $1
ORDER BY exp DESC
LIMIT $2
OFFSET $3;

-- from: src/data/src/entity/sessions.rs:326
UPDATE sessions SET exp = $1 WHERE exp > $1;

-- from: src/data/src/entity/sessions.rs:394
INSERT INTO
sessions (id, csrf_token, user_id, roles, groups, is_mfa, state, exp, last_seen, remote_ip)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT(id) DO UPDATE
SET user_id = $3, roles = $4, groups = $5, is_mfa = $6, state = $7, exp = $8, last_seen = $9,
    remote_ip = $10;

-- from: src/data/src/entity/sessions.rs:450
SELECT * FROM sessions WHERE user_id LIKE $1 ORDER BY exp DESC LIMIT $2;

-- from: src/data/src/entity/sessions.rs:450
SELECT * FROM sessions WHERE id LIKE $1 ORDER BY exp DESC LIMIT $2;

-- from: src/data/src/entity/sessions.rs:450
SELECT * FROM sessions WHERE remote_ip LIKE $1 ORDER BY exp DESC LIMIT $2;

-- from: src/data/src/entity/sessions.rs:592
UPDATE sessions SET exp = $1, state = $2 WHERE id = $3;

-- from: src/data/src/entity/theme.rs:115
SELECT * FROM themes WHERE client_id = $1;

-- from: src/data/src/entity/theme.rs:202
DELETE FROM themes WHERE client_id = $1;

-- from: src/data/src/entity/theme.rs:237
INSERT INTO themes (client_id, last_update, version, light, dark, border_radius)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (client_id) DO UPDATE
SET last_update = $2, version = $3, light = $4, dark = $5, border_radius = $6;

-- from: src/data/src/entity/tos.rs:39
INSERT INTO tos (ts, author, is_html, opt_until, content)
VALUES ($1, $2, $3, $4, $5);

-- from: src/data/src/entity/tos.rs:61
SELECT * FROM tos WHERE ts = $1;

-- from: src/data/src/entity/tos.rs:71
SELECT * FROM tos;

-- from: src/data/src/entity/tos.rs:86
SELECT * FROM tos ORDER BY ts DESC LIMIT 1;

-- from: src/data/src/entity/tos_user_accept.rs:37
INSERT INTO tos_user_accept (user_id, tos_ts, accept_ts, location)
VALUES ($1, $2, $3, $4);

-- from: src/data/src/entity/tos_user_accept.rs:65
SELECT * FROM tos_user_accept
WHERE user_id = $1;

-- from: src/data/src/entity/tos_user_accept.rs:87
SELECT * FROM tos_user_accept
WHERE user_id = $1
ORDER BY tos_ts DESC
LIMIT 1;

-- from: src/data/src/entity/user_attr.rs:75
INSERT INTO user_attr_config (name, "desc", default_value, typ, user_editable)
VALUES ($1, $2, $3, $4, $5);

-- from: src/data/src/entity/user_attr.rs:182
DELETE FROM user_attr_config WHERE name  = $1;

-- from: src/data/src/entity/user_attr.rs:215
SELECT * FROM user_attr_config WHERE name = $1;

-- from: src/data/src/entity/user_attr.rs:235
SELECT * FROM user_attr_config;

-- from: src/data/src/entity/user_attr.rs:298
SELECT user_id FROM user_attr_values WHERE key = $1;

-- from: src/data/src/entity/user_attr.rs:382
UPDATE user_attr_config
SET name  = $1, "desc" = $2, default_value = $3, typ = $4, user_editable = $5
WHERE name = $6;

-- from: src/data/src/entity/user_attr.rs:482
DELETE FROM user_attr_values WHERE key = $1;

-- from: src/data/src/entity/user_attr.rs:520
SELECT * FROM user_attr_values WHERE user_id = $1;

-- from: src/data/src/entity/user_attr.rs:652
DELETE FROM user_attr_values WHERE user_id = $1 AND key = $2;

-- from: src/data/src/entity/user_attr.rs:660
INSERT INTO user_attr_values (user_id, key, value)
VALUES ($1, $2, $3)
ON CONFLICT(user_id, key) DO UPDATE SET value = $3;

-- from: src/data/src/entity/user_login_states.rs:57
INSERT INTO user_login_states(timestamp, user_id, client_id)
SELECT $1, $2, $3
WHERE NOT EXISTS (
    SELECT 1 FROM user_login_states
    WHERE user_id = $2::VARCHAR AND client_id = $3::VARCHAR AND session_id IS NULL
);

-- from: src/data/src/entity/user_login_states.rs:69
INSERT INTO user_login_states(timestamp, user_id, client_id, session_id)
SELECT $1, $2, $3, $4
WHERE NOT EXISTS (
    SELECT 1 FROM user_login_states
    WHERE user_id = $2::VARCHAR AND client_id = $3::VARCHAR AND session_id = $4::VARCHAR
);

-- from: src/data/src/entity/user_login_states.rs:93
SELECT * FROM user_login_states WHERE session_id IS NULL;

-- from: src/data/src/entity/user_login_states.rs:106
SELECT * FROM user_login_states WHERE client_id = $1 AND session_id IS NULL;

-- from: src/data/src/entity/user_login_states.rs:117
SELECT * FROM user_login_states WHERE user_id = $1;

-- from: src/data/src/entity/user_login_states.rs:128
SELECT * FROM user_login_states WHERE session_id = $1;

-- from: src/data/src/entity/user_login_states.rs:141
DELETE FROM user_login_states WHERE timestamp = $1 AND user_id = $2;

-- from: src/data/src/entity/user_login_states.rs:152
DELETE FROM user_login_states;

-- from: src/data/src/entity/user_login_states.rs:163
DELETE FROM user_login_states WHERE client_id = $1;

-- from: src/data/src/entity/user_login_states.rs:174
DELETE FROM user_login_states WHERE user_id = $1;

-- from: src/data/src/entity/user_login_states.rs:185
DELETE FROM user_login_states WHERE session_id = $1;

-- from: src/data/src/entity/user_revoke.rs:22
SELECT * FROM user_revoke WHERE user_id = $1;

-- from: src/data/src/entity/user_revoke.rs:43
DELETE FROM user_revoke WHERE user_id = $1;

-- from: src/data/src/entity/user_revoke.rs:64
INSERT INTO user_revoke (user_id, code)
VALUES ($1, $2)
ON CONFLICT (user_id) DO NOTHING
RETURNING *;

-- from: src/data/src/entity/users.rs:174
SELECT COUNT (*) AS count FROM users;

-- from: src/data/src/entity/users.rs:305
DELETE FROM users WHERE id = $1;

-- from: src/data/src/entity/users.rs:326
SELECT 1 FROM users WHERE id = $1;

-- from: src/data/src/entity/users.rs:351
SELECT * FROM users WHERE id = $1;

-- from: src/data/src/entity/users.rs:372
SELECT * FROM users WHERE email = $1;

-- from: src/data/src/entity/users.rs:389
SELECT * FROM users WHERE auth_provider_id = $1 AND federation_uid = $2;

-- from: src/data/src/entity/users.rs:403
SELECT * FROM users ORDER BY created_at ASC;

-- from: src/data/src/entity/users.rs:421
SELECT id, email, given_name, family_name, created_at, last_login, picture_id
FROM users
ORDER BY created_at ASC;

-- from: src/data/src/entity/users.rs:444
SELECT * FROM users
WHERE created_at >= $1 AND email > $2
ORDER BY created_at ASC, email ASC
LIMIT $3;

-- from: src/data/src/entity/users.rs:464
SELECT * FROM users WHERE groups LIKE $1;

-- from: src/data/src/entity/users.rs:479
SELECT * FROM users WHERE roles LIKE $1;

-- from: src/data/src/entity/users.rs:493
SELECT * FROM users WHERE user_expires < $1;

-- from: src/data/src/entity/users.rs:547
SELECT id, email, given_name, family_name, created_at, last_login, picture_id
FROM users
WHERE created_at <= $1 AND id != $2
ORDER BY created_at DESC
LIMIT $3
OFFSET $4;

-- from: src/data/src/entity/users.rs:566
SELECT id, email, given_name, family_name, created_at, last_login, picture_id
FROM users
WHERE created_at >= $1 AND id != $2
ORDER BY created_at ASC
LIMIT $3
OFFSET $4;

-- from: src/data/src/entity/users.rs:583
SELECT id, email, given_name, family_name, created_at, last_login, picture_id
FROM users
ORDER BY created_at DESC
LIMIT $1
OFFSET $2;

-- from: src/data/src/entity/users.rs:598
SELECT id, email, given_name, family_name, created_at, last_login, picture_id
FROM users
ORDER BY created_at ASC
LIMIT $1
OFFSET $2;

-- from: src/data/src/entity/users.rs:652
INSERT INTO users
(id, email, given_name, family_name, roles, groups, enabled, email_verified, created_at,
last_login, language, user_expires, auth_provider_id, federation_uid, picture_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15);

-- from: src/data/src/entity/users.rs:748
SELECT u.id AS user_id, email, email_verified, given_name, family_name, roles, groups, enabled,
    created_at, language, picture_id, birthdate, phone, street, zip, city, country,
    preferred_username, tz
FROM users u
LEFT JOIN users_values uv ON u.id = uv.id
WHERE u.created_at > $1
ORDER BY created_at ASC
LIMIT $2;

-- from: src/data/src/entity/users.rs:858
UPDATE USERS SET
email = $1, given_name = $2, family_name = $3, password = $4, roles = $5, groups = $6, enabled = $7,
email_verified = $8, password_expires = $9, last_login = $10, last_failed_login = $11,
failed_login_attempts = $12, language = $13, webauthn_user_id = $14, user_expires = $15,
auth_provider_id = $16, federation_uid = $17, picture_id = $18
WHERE id = $19;

-- from: src/data/src/entity/users.rs:993
SELECT id, email, given_name, family_name, created_at, last_login, picture_id
FROM users
WHERE id LIKE $1
ORDER BY created_at ASC
LIMIT $2;

-- from: src/data/src/entity/users.rs:1007
SELECT id, email, given_name, family_name, created_at, last_login, picture_id
FROM users
WHERE email LIKE $1
ORDER BY created_at ASC
LIMIT $2;

-- from: src/data/src/entity/users.rs:1031
UPDATE users SET email_verified = $1 WHERE id = $2;

-- from: src/data/src/entity/users.rs:1307
UPDATE users SET language = $1 WHERE id = $2;

-- from: src/data/src/entity/users.rs:1442
SELECT 1 FROM users WHERE email = $1;

-- from: src/data/src/entity/users_values.rs:69
INSERT INTO
users_values (id, birthdate, phone, street, zip, city, country, preferred_username, tz)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- from: src/data/src/entity/users_values.rs:112
SELECT * FROM users_values WHERE id = $1;

-- from: src/data/src/entity/users_values.rs:138
SELECT preferred_username FROM users_values WHERE id = $1;

-- from: src/data/src/entity/users_values.rs:181
INSERT INTO
users_values (id, birthdate, phone, street, zip, city, country, tz)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT(id) DO UPDATE
SET birthdate = $2, phone = $3, street = $4, zip = $5, city = $6, country = $7, tz = $8
RETURNING *;

-- from: src/data/src/entity/users_values.rs:234
INSERT INTO
users_values (id, preferred_username)
VALUES ($1, $2)
ON CONFLICT(id) DO UPDATE
SET preferred_username = $2
RETURNING *;

-- from: src/data/src/entity/users_values.rs:263
DELETE FROM users_values WHERE id = $1;

-- from: src/data/src/entity/users_values.rs:284
UPDATE users_values
SET preferred_username = null
WHERE id = $1
RETURNING *;

-- from: src/data/src/entity/users_values.rs:305
SELECT 1 FROM users_values WHERE preferred_username = $1;

-- from: src/data/src/entity/webauthn.rs:136
INSERT INTO passkeys
(user_id, name, passkey_user_id, passkey, credential_id, registered, last_used, user_verified)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- from: src/data/src/entity/webauthn.rs:182
SELECT COUNT (*) AS count FROM passkeys WHERE user_id = $1;

-- from: src/data/src/entity/webauthn.rs:250
DELETE FROM passkeys WHERE user_id = $1 AND name = $2;

-- from: src/data/src/entity/webauthn.rs:306
SELECT * FROM passkeys WHERE user_id = $1 AND name = $2;

-- from: src/data/src/entity/webauthn.rs:333
SELECT credential_id FROM passkeys WHERE user_id = $1;

-- from: src/data/src/entity/webauthn.rs:358
SELECT * FROM passkeys WHERE user_id = $1;

-- from: src/data/src/entity/webauthn.rs:379
SELECT * FROM passkeys WHERE user_id = $1 AND user_verified = true;

-- from: src/data/src/entity/webauthn.rs:404
UPDATE passkeys
SET passkey = $1, last_used = $2
WHERE user_id = $3 AND name = $4;

-- from: src/data/src/entity/webids.rs:55
SELECT * FROM webids WHERE user_id = $1;

-- from: src/data/src/entity/webids.rs:85
INSERT INTO webids (user_id, custom_triples, expose_email)
VALUES ($1, $2, $3)
ON CONFLICT(user_id) DO UPDATE
SET custom_triples = $2, expose_email = $3;

-- from: src/data/src/events/event.rs:562
INSERT INTO events (id, timestamp, level, typ, ip, data, text)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- from: src/data/src/events/event.rs:605
SELECT * FROM events
WHERE timestamp >= $1 AND timestamp <= $2 AND level >= $3 AND typ = $4
ORDER BY timestamp DESC;

-- from: src/data/src/events/event.rs:618
SELECT * FROM events
WHERE timestamp >= $1 AND timestamp <= $2 AND level >= $3
ORDER BY timestamp DESC;

-- from: src/data/src/events/event.rs:631
SELECT * FROM events ORDER BY timestamp DESC LIMIT $1;

-- from: src/data/src/migration/bootstrap/api_key.rs:167
UPDATE api_keys SET secret = $1 WHERE name = $2;

-- from: src/data/src/migration/bootstrap/clients.rs:154
INSERT INTO clients (id, name, enabled, confidential, secret, secret_kid, redirect_uris,
post_logout_redirect_uris, allowed_origins, flows_enabled, access_token_alg, id_token_alg,
auth_code_lifetime, access_token_lifetime, scopes, default_scopes, challenge, force_mfa,
client_uri, contacts, backchannel_logout_uri, restrict_group_prefix)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
$18, $19, $20, $21, $22);

-- from: src/data/src/migration/bootstrap/groups.rs:22
INSERT INTO groups (id, name) VALUES ($1, $2);

-- from: src/data/src/migration/bootstrap/mod.rs:77
SELECT * FROM JWKS;

-- from: src/data/src/migration/bootstrap/mod.rs:100
DELETE FROM clients WHERE id = 'init_client';

-- from: src/data/src/migration/bootstrap/mod.rs:101
DELETE FROM users WHERE email IN ('init_admin@localhost', 'test_admin@localhost');

-- from: src/data/src/migration/bootstrap/rauthy_admin.rs:84
UPDATE users
SET id = $1, email = $2, password = $3
WHERE email = 'admin@localhost';

-- from: src/data/src/migration/bootstrap/roles.rs:22
INSERT INTO roles (id, name) VALUES ($1, $2);

-- from: src/data/src/migration/bootstrap/user_attrs.rs:34
INSERT INTO user_attr_config (name, "desc", default_value, user_editable)
VALUES ($1, $2, $3, $4);

-- from: src/data/src/migration/bootstrap/users.rs:122
INSERT INTO users (
    id, email, given_name, family_name, password, roles, groups, enabled, email_verified,
    password_expires, created_at, language, user_expires
)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);

-- from: src/data/src/migration/bootstrap/users.rs:178
INSERT INTO user_attr_values (user_id, key, value)
VALUES ($1, $2, $3);

-- from: src/data/src/migration/db_migrate.rs:632
SELECT * FROM config;

-- from: src/data/src/migration/db_migrate.rs:648
SELECT auth_provider_id AS id, res, content_type, data, updated FROM auth_provider_logos;

-- from: src/data/src/migration/db_migrate.rs:659
SELECT * FROM pictures;

-- from: src/data/src/migration/db_migrate.rs:664
SELECT * FROM users;

-- from: src/data/src/migration/db_migrate.rs:669
SELECT * FROM passkeys;

-- from: src/data/src/migration/db_migrate.rs:680
SELECT * FROM clients_dyn;

-- from: src/data/src/migration/db_migrate.rs:685
SELECT client_id AS id, res, content_type, data, updated FROM client_logos;

-- from: src/data/src/migration/db_migrate.rs:726
SELECT * FROM magic_links;

-- from: src/data/src/migration/db_migrate.rs:746
SELECT * FROM events;

-- from: src/data/src/migration/db_migrate.rs:756
SELECT * FROM user_attr_values;

-- from: src/data/src/migration/db_migrate.rs:761
SELECT * FROM users_values;

-- from: src/data/src/migration/db_migrate.rs:766
SELECT * FROM user_revoke;

-- from: src/data/src/migration/db_migrate.rs:771
SELECT * FROM devices;

-- from: src/data/src/migration/db_migrate.rs:781
SELECT * FROM sessions;

-- from: src/data/src/migration/db_migrate.rs:786
SELECT * FROM user_login_states;

-- from: src/data/src/migration/db_migrate.rs:791
SELECT * FROM login_locations;

-- from: src/data/src/migration/db_migrate.rs:807
SELECT * FROM recent_passwords;

-- from: src/data/src/migration/db_migrate.rs:812
SELECT * FROM themes;

-- from: src/data/src/migration/db_migrate.rs:817
SELECT * FROM webids;

-- from: src/data/src/migration/db_migrate.rs:882
SELECT * FROM tos_user_accept;

-- from: src/data/src/migration/db_migrate.rs:887
SELECT * FROM email_jobs;

-- from: src/data/src/migration/db_migrate.rs:892
SELECT * FROM ssh_auth_keys;

-- from: src/data/src/migration/db_migrate.rs:897
SELECT * FROM ssh_auth_keys_used;

-- from: src/data/src/migration/db_migrate.rs:910
SELECT * FROM issued_tokens;

-- from: src/data/src/migration/db_migrate.rs:925
SELECT * FROM kv_values;

-- from: src/data/src/migration/db_migrate_dev.rs:162
INSERT INTO
jwks (kid, created_at, signature, enc_key_id, jwk)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING;

-- from: src/data/src/migration/db_migrate_dev.rs:208
UPDATE clients SET backchannel_logout_uri = $1 WHERE id = 'init_client';

-- from: src/data/src/migration/db_migrate_dev.rs:209
INSERT INTO
magic_links (id, user_id, csrf_token, exp, used, usage)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT DO NOTHING;

-- from: src/data/src/migration/db_migrate_dev.rs:229
UPDATE clients SET default_scopes = 'email,openid,profile' WHERE id = 'init_client';

-- from: src/data/src/migration/inserts.rs:72
DELETE FROM api_keys;

-- from: src/data/src/migration/inserts.rs:110
DELETE FROM auth_provider_logos;

-- from: src/data/src/migration/inserts.rs:167
DELETE FROM auth_providers;

-- from: src/data/src/migration/inserts.rs:169
INSERT INTO
auth_providers (id, enabled, name, typ, issuer, authorization_endpoint, token_endpoint,
userinfo_endpoint, client_id, secret, scope, admin_claim_path, admin_claim_value, mfa_claim_path,
mfa_claim_value, use_pkce, client_secret_basic, client_secret_post, jwks_endpoint, auto_onboarding,
auto_link)
VALUES (
    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21
);

-- from: src/data/src/migration/inserts.rs:218
DELETE FROM client_logos;

-- from: src/data/src/migration/inserts.rs:220
INSERT INTO client_logos (client_id, res, content_type, data, updated)
VALUES ($1, $2, $3, $4, $5);

-- from: src/data/src/migration/inserts.rs:279
DELETE FROM clients;

-- from: src/data/src/migration/inserts.rs:281
INSERT INTO clients
(id, name, enabled, confidential, secret, secret_kid, redirect_uris, post_logout_redirect_uris,
allowed_origins, flows_enabled, access_token_alg, id_token_alg, auth_code_lifetime,
access_token_lifetime, scopes, default_scopes, challenge, force_mfa, client_uri, contacts,
backchannel_logout_uri, restrict_group_prefix, allowed_resources, default_aud)
VALUES
($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
$22, $23, $24);

-- from: src/data/src/migration/inserts.rs:340
DELETE FROM clients_dyn;

-- from: src/data/src/migration/inserts.rs:342
INSERT INTO
clients_dyn (id, created, last_used, registration_token, token_endpoint_auth_method)
VALUES ($1, $2, $3, $4, $5);

-- from: src/data/src/migration/inserts.rs:382
DELETE FROM clients_scim;

-- from: src/data/src/migration/inserts.rs:385
INSERT INTO clients_scim (client_id, bearer_token, base_endpoint, sync_groups, group_sync_prefix)
VALUES ($1, $2, $3, $4, $5);

-- from: src/data/src/migration/inserts.rs:411
DELETE FROM config;

-- from: src/data/src/migration/inserts.rs:413
INSERT INTO config (id, data) VALUES ($1, $2);

-- from: src/data/src/migration/inserts.rs:446
DELETE FROM devices;

-- from: src/data/src/migration/inserts.rs:493
DELETE FROM email_jobs;

-- from: src/data/src/migration/inserts.rs:495
INSERT INTO email_jobs (id, scheduled, status, updated, filter, content_type, subject, body)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- from: src/data/src/migration/inserts.rs:539
DELETE FROM events;

-- from: src/data/src/migration/inserts.rs:576
DELETE FROM failed_backchannel_logouts;

-- from: src/data/src/migration/inserts.rs:578
INSERT INTO failed_backchannel_logouts (client_id, sub, sid, retry_count)
VALUES ($1, $2, $3, $4);

-- from: src/data/src/migration/inserts.rs:602
DELETE FROM failed_scim_tasks;

-- from: src/data/src/migration/inserts.rs:604
INSERT INTO failed_scim_tasks (client_id, action, retry_count)
VALUES ($1, $2, $3);

-- from: src/data/src/migration/inserts.rs:626
DELETE FROM groups;

-- from: src/data/src/migration/inserts.rs:651
DELETE FROM issued_tokens;

-- from: src/data/src/migration/inserts.rs:653
INSERT INTO issued_tokens (jti, user_id, did, sid, exp, revoked)
VALUES ($1, $2, $3, $4, $5, $6);

-- from: src/data/src/migration/inserts.rs:686
DELETE FROM jwks;

-- from: src/data/src/migration/inserts.rs:718
DELETE FROM kv_access;

-- from: src/data/src/migration/inserts.rs:720
INSERT INTO kv_access (id, ns, secret, enabled, name)
VALUES ($1, $2, $3, $4, $5);

-- from: src/data/src/migration/inserts.rs:738
DELETE FROM kv_ns;

-- from: src/data/src/migration/inserts.rs:740
INSERT INTO kv_ns (ns, public)
VALUES ($1, $2);

-- from: src/data/src/migration/inserts.rs:760
DELETE FROM kv_values;

-- from: src/data/src/migration/inserts.rs:762
INSERT INTO kv_values (ns, key, encrypted, value)
VALUES ($1, $2, $3, $4);

-- from: src/data/src/migration/inserts.rs:793
DELETE FROM login_locations;

-- from: src/data/src/migration/inserts.rs:838
DELETE FROM magic_links;

-- from: src/data/src/migration/inserts.rs:840
INSERT INTO magic_links
(id, user_id, csrf_token, cookie, exp, used, usage)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- from: src/data/src/migration/inserts.rs:913
DELETE FROM pam_rel_groups_users;

-- from: src/data/src/migration/inserts.rs:914
DELETE FROM pam_users;

-- from: src/data/src/migration/inserts.rs:915
DELETE FROM pam_hosts_ips;

-- from: src/data/src/migration/inserts.rs:916
DELETE FROM pam_hosts_aliases;

-- from: src/data/src/migration/inserts.rs:917
DELETE FROM pam_hosts;

-- from: src/data/src/migration/inserts.rs:918
DELETE FROM pam_groups;

-- from: src/data/src/migration/inserts.rs:921
INSERT INTO pam_groups (id, name, typ)
VALUES ($1, $2, $3);

-- from: src/data/src/migration/inserts.rs:955
INSERT INTO pam_hosts (id, hostname, gid, secret, force_mfa, local_password_only, notes)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- from: src/data/src/migration/inserts.rs:984
INSERT INTO pam_hosts_aliases (host_id, alias)
VALUES ($1, $2);

-- from: src/data/src/migration/inserts.rs:1001
INSERT INTO pam_hosts_ips (host_id, ip)
VALUES ($1, $2);

-- from: src/data/src/migration/inserts.rs:1049
INSERT INTO pam_users (id, name, gid, email, shell, home_dir)
VALUES ($1, $2, $3, $4, $5, $6);

-- from: src/data/src/migration/inserts.rs:1114
DELETE FROM passkeys;

-- from: src/data/src/migration/inserts.rs:1150
DELETE FROM pictures;

-- from: src/data/src/migration/inserts.rs:1173
DELETE FROM recent_passwords;

-- from: src/data/src/migration/inserts.rs:1207
DELETE FROM refresh_tokens;

-- from: src/data/src/migration/inserts.rs:1209
INSERT INTO refresh_tokens (id, user_id, nbf, exp, scope, is_mfa, session_id, access_token_jti)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- from: src/data/src/migration/inserts.rs:1256
DELETE FROM refresh_tokens_devices;

-- from: src/data/src/migration/inserts.rs:1258
INSERT INTO refresh_tokens_devices
(id, device_id, user_id, nbf, exp, scope, access_token_jti)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- from: src/data/src/migration/inserts.rs:1288
DELETE FROM roles;

-- from: src/data/src/migration/inserts.rs:1313
DELETE FROM scopes;

-- from: src/data/src/migration/inserts.rs:1315
INSERT INTO scopes (id, name, attr_include_access, attr_include_id)
VALUES ($1, $2, $3, $4);

-- from: src/data/src/migration/inserts.rs:1353
DELETE FROM sessions;

-- from: src/data/src/migration/inserts.rs:1355
INSERT INTO
sessions (id, csrf_token, user_id, roles, groups, is_mfa, state, exp, last_seen)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- from: src/data/src/migration/inserts.rs:1392
DELETE FROM ssh_auth_keys;

-- from: src/data/src/migration/inserts.rs:1424
DELETE FROM ssh_auth_keys_used;

-- from: src/data/src/migration/inserts.rs:1426
INSERT INTO ssh_auth_keys_used (used_key_hash, ts_added)
VALUES ($1, $2);

-- from: src/data/src/migration/inserts.rs:1456
DELETE FROM themes;

-- from: src/data/src/migration/inserts.rs:1458
INSERT INTO themes (client_id, last_update, version, light, dark, border_radius)
VALUES ($1, $2, $3, $4, $5, $6);

-- from: src/data/src/migration/inserts.rs:1492
DELETE FROM tos;

-- from: src/data/src/migration/inserts.rs:1518
DELETE FROM tos_user_accept;

-- from: src/data/src/migration/inserts.rs:1544
DELETE FROM user_attr_config;

-- from: src/data/src/migration/inserts.rs:1569
DELETE FROM user_attr_values;

-- from: src/data/src/migration/inserts.rs:1571
INSERT INTO user_attr_values (user_id, key, value) VALUES ($1, $2, $3);

-- from: src/data/src/migration/inserts.rs:1599
INSERT INTO user_login_states(timestamp, user_id, client_id, session_id)
VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id, client_id, session_id)
DO NOTHING;

-- from: src/data/src/migration/inserts.rs:1655
DELETE FROM users;

-- from: src/data/src/migration/inserts.rs:1657
INSERT INTO users
(id, email, given_name, family_name, password, roles, groups, enabled, email_verified,
password_expires, created_at, last_login, last_failed_login, failed_login_attempts, language,
webauthn_user_id, user_expires, auth_provider_id, federation_uid, picture_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20);

-- from: src/data/src/migration/inserts.rs:1716
DELETE FROM users_values;

-- from: src/data/src/migration/inserts.rs:1750
DELETE FROM user_revoke;

-- from: src/data/src/migration/inserts.rs:1752
INSERT INTO user_revoke (user_id, code)
VALUES ($1, $2);

-- from: src/data/src/migration/inserts.rs:1770
DELETE FROM webids;

-- from: src/data/src/migration/inserts.rs:1772
INSERT INTO webids (user_id, custom_triples, expose_email) VALUES ($1, $2, $3);

-- from: src/data/src/temp_migrations.rs:20
DELETE FROM pam_groups
WHERE typ = 'user' AND NOT EXISTS (
    SELECT 1 FROM pam_users
    WHERE pam_users.name = pam_groups.name
);

-- from: src/schedulers/src/devices.rs:42
DELETE FROM devices
WHERE access_exp < $1
AND (refresh_exp IS NULL OR refresh_exp < $1);

-- from: src/schedulers/src/dyn_clients.rs:65
SELECT * FROM clients_dyn WHERE last_used IS NULL OR last_used < $1;

-- from: src/schedulers/src/events.rs:40
DELETE FROM events WHERE timestamp < $1;

-- from: src/schedulers/src/jwks.rs:68
SELECT * FROM jwks ORDER BY created_at ASC;

-- from: src/schedulers/src/jwks.rs:109
DELETE FROM jwks WHERE kid = $1;

-- from: src/schedulers/src/magic_links.rs:64
DELETE FROM users
WHERE id IN (
    SELECT DISTINCT user_id
    FROM magic_links
    WHERE exp < $1 AND used = false)
AND password IS NULL AND webauthn_user_id IS NULL;

-- from: src/schedulers/src/magic_links.rs:87
DELETE FROM magic_links WHERE exp < $1;

-- from: src/schedulers/src/magic_links.rs:110
SELECT * FROM users
WHERE id IN (
    SELECT DISTINCT user_id
    FROM magic_links
    WHERE exp < $1 AND used = false)
AND password IS NULL AND webauthn_user_id IS NULL;

-- from: src/schedulers/src/passwords.rs:47
SELECT * FROM users WHERE password_expires <= $1 AND password_expires > $2;

-- from: src/schedulers/src/sessions.rs:48
DELETE FROM sessions WHERE exp < $1 OR last_seen < $2;

-- from: src/schedulers/src/tokens.rs:31
DELETE FROM refresh_tokens WHERE exp < $1;

-- from: src/schedulers/src/user_login_states.rs:36
DELETE FROM user_login_states WHERE timestamp < $1;

-- from: crates/atuin-server-postgres/src/lib.rs:90
select id, user_id, token from sessions where token = $1;

-- from: crates/atuin-server-postgres/src/lib.rs:99
select id, username, email, password from users where username = $1;

-- from: crates/atuin-server-postgres/src/lib.rs:108
select users.id, users.username, users.email, users.password from users
inner join sessions
on users.id = sessions.user_id
and sessions.token = $1;

-- from: crates/atuin-server-postgres/src/lib.rs:123
delete from store
where user_id = $1;

-- from: crates/atuin-server-postgres/src/lib.rs:131
delete from store_idx_cache
where user_id = $1;

-- from: crates/atuin-server-postgres/src/lib.rs:146
delete from sessions where user_id = $1;

-- from: crates/atuin-server-postgres/src/lib.rs:151
delete from history where user_id = $1;

-- from: crates/atuin-server-postgres/src/lib.rs:156
delete from store where user_id = $1;

-- from: crates/atuin-server-postgres/src/lib.rs:158
delete from total_history_count_user where user_id = $1;

-- from: crates/atuin-server-postgres/src/lib.rs:163
delete from users where id = $1;

-- from: crates/atuin-server-postgres/src/lib.rs:170
update users
set password = $1
where id = $2;

-- from: crates/atuin-server-postgres/src/lib.rs:189
insert into users
    (username, email, password)
values($1, $2, $3)
returning id;

-- from: crates/atuin-server-postgres/src/lib.rs:208
insert into sessions
    (user_id, token)
values($1, $2);

-- from: crates/atuin-server-postgres/src/lib.rs:223
select id, user_id, token from sessions where user_id = $1;

-- from: crates/atuin-server-postgres/src/lib.rs:246
insert into store
    (id, client_id, host, idx, timestamp, version, tag, data, cek, user_id)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
on conflict do nothing;

-- from: crates/atuin-server-postgres/src/lib.rs:281
insert into store_idx_cache
    (user_id, host, tag, idx)
values ($1, $2, $3, $4)
on conflict(user_id, host, tag) do update set idx = greatest(store_idx_cache.idx, $4);

-- from: crates/atuin-server-postgres/src/lib.rs:313
select client_id, host, idx, timestamp, version, tag, data, cek from store
where user_id = $1
and tag = $2
and host = $3
and idx >= $4
order by idx asc
limit $5;

-- from: crates/atuin-server-postgres/src/lib.rs:369
select host, tag, idx from store_idx_cache where user_id = $1;

-- from: crates/atuin-server-postgres/src/lib.rs:375
select host, tag, max(idx) from store where user_id = $1 group by host, tag;

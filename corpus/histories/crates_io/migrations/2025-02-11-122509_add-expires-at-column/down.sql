alter table crate_owner_invitations drop column expires_at;

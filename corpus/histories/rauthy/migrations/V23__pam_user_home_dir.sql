ALTER TABLE pam_users
    ADD home_dir VARCHAR;

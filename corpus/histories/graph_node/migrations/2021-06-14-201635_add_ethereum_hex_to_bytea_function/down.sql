drop function if exists ethereum_hex_to_bytea (text);
drop function if exists raise_exception_bytea (text);

drop function reduce_dim(anyarray);

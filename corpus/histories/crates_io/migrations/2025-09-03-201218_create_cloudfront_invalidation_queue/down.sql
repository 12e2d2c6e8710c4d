-- Drop the CloudFront invalidation queue table
DROP TABLE IF EXISTS cloudfront_invalidation_queue;

-- AlterTable
ALTER TABLE "BulkActionItem"
ALTER COLUMN "friendlyId"
DROP NOT NULL;
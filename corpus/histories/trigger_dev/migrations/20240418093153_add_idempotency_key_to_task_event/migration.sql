-- AlterTable
ALTER TABLE "TaskEvent" ADD COLUMN     "idempotencyKey" TEXT;

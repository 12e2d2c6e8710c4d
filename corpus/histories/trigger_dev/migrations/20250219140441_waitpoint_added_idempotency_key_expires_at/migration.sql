-- AlterTable
ALTER TABLE "Waitpoint" ADD COLUMN     "idempotencyKeyExpiresAt" TIMESTAMP(3);

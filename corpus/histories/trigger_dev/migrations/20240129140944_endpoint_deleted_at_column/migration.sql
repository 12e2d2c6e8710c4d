-- AlterTable
ALTER TABLE "Endpoint" ADD COLUMN     "deletedAt" TIMESTAMP(3);

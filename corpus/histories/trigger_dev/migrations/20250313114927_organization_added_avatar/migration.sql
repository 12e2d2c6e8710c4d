-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "avatar" JSONB;

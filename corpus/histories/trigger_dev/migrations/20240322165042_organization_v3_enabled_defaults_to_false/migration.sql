-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "v3Enabled" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "RuntimeEnvironment"
ADD COLUMN "isBranchableEnvironment" BOOLEAN NOT NULL DEFAULT false;
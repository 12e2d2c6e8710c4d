-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "companySize" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "referralSource" TEXT;

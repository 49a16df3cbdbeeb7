-- AlterTable
ALTER TABLE "Prediction" ADD COLUMN     "embedding" JSONB;

-- AlterTable
ALTER TABLE "conversation_states" ADD COLUMN     "anchorMessageId" TEXT,
ADD COLUMN     "anchorSeq" INTEGER;

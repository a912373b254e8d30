-- CreateEnum
CREATE TYPE "SupportStatus" AS ENUM ('OPEN', 'CLOSED');

-- CreateEnum
CREATE TYPE "SupportAuthor" AS ENUM ('PARENT', 'OPERATOR');

-- CreateTable
CREATE TABLE "support_threads" (
    "id" SERIAL NOT NULL,
    "channel" "Channel" NOT NULL,
    "chatId" TEXT NOT NULL,
    "parentId" INTEGER,
    "locale" "Locale" NOT NULL,
    "status" "SupportStatus" NOT NULL DEFAULT 'OPEN',
    "openKey" TEXT,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastParentAt" TIMESTAMP(3) NOT NULL,
    "waitingSince" TIMESTAMP(3),
    "firstResponseAt" TIMESTAMP(3),
    "assignedToId" INTEGER,
    "slowedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "closedById" INTEGER,

    CONSTRAINT "support_threads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "support_messages" (
    "id" SERIAL NOT NULL,
    "threadId" INTEGER NOT NULL,
    "author" "SupportAuthor" NOT NULL,
    "operatorId" INTEGER,
    "text" TEXT,
    "fileName" TEXT,
    "fileMime" TEXT,
    "fileSize" INTEGER,
    "fileData" BYTEA,
    "key" TEXT NOT NULL,
    "outboxId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "support_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "canned_replies" (
    "id" SERIAL NOT NULL,
    "locale" "Locale" NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT NOT NULL,

    CONSTRAINT "canned_replies_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "support_threads_openKey_key" ON "support_threads"("openKey");

-- CreateIndex
CREATE INDEX "support_threads_status_waitingSince_idx" ON "support_threads"("status", "waitingSince");

-- CreateIndex
CREATE INDEX "support_threads_channel_chatId_idx" ON "support_threads"("channel", "chatId");

-- CreateIndex
CREATE INDEX "support_threads_closedAt_idx" ON "support_threads"("closedAt");

-- CreateIndex
CREATE UNIQUE INDEX "support_messages_key_key" ON "support_messages"("key");

-- CreateIndex
CREATE INDEX "support_messages_threadId_id_idx" ON "support_messages"("threadId", "id");

-- CreateIndex
CREATE INDEX "support_messages_author_createdAt_idx" ON "support_messages"("author", "createdAt");

-- CreateIndex
CREATE INDEX "canned_replies_locale_title_idx" ON "canned_replies"("locale", "title");

-- AddForeignKey
ALTER TABLE "support_threads" ADD CONSTRAINT "support_threads_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "parents"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_threads" ADD CONSTRAINT "support_threads_assignedToId_fkey" FOREIGN KEY ("assignedToId") REFERENCES "operator_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_messages" ADD CONSTRAINT "support_messages_threadId_fkey" FOREIGN KEY ("threadId") REFERENCES "support_threads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_messages" ADD CONSTRAINT "support_messages_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "operator_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

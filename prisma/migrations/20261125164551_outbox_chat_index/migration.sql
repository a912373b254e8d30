-- CreateIndex
CREATE INDEX "outbox_channel_chatId_status_idx" ON "outbox"("channel", "chatId", "status");

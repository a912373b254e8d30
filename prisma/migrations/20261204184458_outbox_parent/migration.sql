-- CreateIndex
CREATE INDEX "outbox_parentId_id_idx" ON "outbox"("parentId", "id");

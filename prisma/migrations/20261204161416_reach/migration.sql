-- AlterEnum
ALTER TYPE "Channel" ADD VALUE 'SMS';

-- AlterTable
ALTER TABLE "parents" ADD COLUMN     "notifySms" BOOLEAN,
ADD COLUMN     "notifyWhatsapp" BOOLEAN;

-- CreateTable
CREATE TABLE "notification_opt_outs" (
    "parentId" INTEGER NOT NULL,
    "channel" "Channel" NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_opt_outs_pkey" PRIMARY KEY ("parentId","channel")
);

-- CreateTable
CREATE TABLE "undeliverable_addresses" (
    "channel" "Channel" NOT NULL,
    "address" TEXT NOT NULL,
    "seasonId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "undeliverable_addresses_pkey" PRIMARY KEY ("channel","address","seasonId")
);

-- CreateTable
CREATE TABLE "link_tokens" (
    "id" TEXT NOT NULL,
    "parentId" INTEGER NOT NULL,
    "phone" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "link_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "link_tokens_parentId_idx" ON "link_tokens"("parentId");

-- AddForeignKey
ALTER TABLE "notification_opt_outs" ADD CONSTRAINT "notification_opt_outs_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "parents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "link_tokens" ADD CONSTRAINT "link_tokens_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "parents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

package dev.traceflow.alerts;

// PLACEHOLDER until the delivery branch (alertsend) merges: same signatures as agreed.
record AlertMessage(String deliveryId, String channelId, ChannelTarget target, String subject, String jsonBody, String textBody) {
}

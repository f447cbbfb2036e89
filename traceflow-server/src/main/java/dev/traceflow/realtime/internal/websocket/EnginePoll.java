package dev.traceflow.realtime.internal.websocket;

/** What a polling GET of an Engine.IO session gets ({@link EngineIoChannel#poll}). */
sealed interface EnginePoll {

    record Packets(String body) implements EnginePoll {
    }

    /** a GET came while another was waiting: Engine.IO allows one, the session ends */
    record Overlap() implements EnginePoll {
    }

    /** the session is carried by a WebSocket now */
    record Upgraded() implements EnginePoll {
    }
}

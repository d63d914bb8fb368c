namespace ClusterRouting.Http;

/// <summary>
/// What a 503 or 429 said: the limit it refused for (none when it is the member's answer), the cool-down it asked for,
/// and, when part of the body was read to find the sentence, those bytes and the stream positioned after them.
/// </summary>
internal readonly record struct RefusalInspection(ThrottleLimitKind? Limit, TimeSpan? CoolDown, byte[]? Prefix, Stream? OpenedBody);

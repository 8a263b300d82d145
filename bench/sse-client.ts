// Reads an OpenAI-style SSE stream as a client does: each content delta to `onText`, an error
// event raised, and whether the stream ended with `data: [DONE]`.
export async function readSse(
  response: Response,
  onText: (text: string) => void,
  onBytes?: (count: number) => void,
): Promise<boolean> {
  const decoder = new TextDecoder();
  let buffer = "";
  let done = false;
  for await (const bytes of response.body!) {
    onBytes?.(bytes.byteLength);
    buffer += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (event === "data: [DONE]") done = true;
      if (!event.startsWith("data: {")) continue;
      const chunk = JSON.parse(event.slice(6)) as { error?: { message: string }; choices: Array<{ delta: { content?: string } }> };
      if (chunk.error) throw new Error(chunk.error.message);
      const content = chunk.choices[0]?.delta.content;
      if (content) onText(content);
    }
  }
  return done;
}

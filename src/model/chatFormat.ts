/**
 * How the tiny policy reads a conversation: the one token stream used by SFT, GRPO and
 * inference alike (keep it that way, or training and generation disagree).
 *
 *   <bos> <|system|> {budget} <|user|> {content} <|assistant|> {text} <|user|> {observation} …
 *
 * - The constant PyVision system prompt (src/agent/protocol.ts) is DROPPED: this model is only
 *   ever trained on this protocol, so ~500 tokens of instructions would carry no information
 *   while costing half its context. Only the turn-budget sentence ("You have at most N messages
 *   …") is kept, since it changes what a good policy does.
 * - Text parts are encoded as they are; each image part becomes one `<image>` token (expanded to
 *   K visual positions by the model) and its Pixels are collected in order of appearance.
 * - lossMask is 1 on the assistant's own text tokens only; role markers, the prompt and the
 *   interpreter observations (text and images) are context, not targets.
 * - Assistant turns end with their stop string (`</code>` or `</answer>`), which is trained;
 *   there is no end-of-turn token, generation stops on the string.
 */
import type { Pixels } from '../runtime/types';
import type { Message } from '../agent/types';
import { ROLE_ASSISTANT, ROLE_SYSTEM, ROLE_USER, type Tokenizer } from './tokenizer';

export interface FormattedConversation {
  ids: number[];
  lossMask: number[];
  /** The images of the `<image>` tokens, in stream order. */
  images: Pixels[];
}

const BUDGET = /You have at most \d+ messages[^\n]*/;

/** The kept part of a system message: its turn-budget sentence, or nothing. */
export function compressSystemPrompt(text: string): string {
  return BUDGET.exec(text)?.[0] ?? '';
}

/**
 * The token stream of `messages`. With `generationPrompt`, ends with `<|assistant|>` so the model
 * continues with the next assistant turn.
 */
export function formatConversation(tokenizer: Tokenizer, messages: Message[], images: Pixels[], opts: { generationPrompt?: boolean } = {}): FormattedConversation {
  const out: FormattedConversation = { ids: [tokenizer.bosId], lossMask: [0], images: [] };
  const push = (ids: number[], loss: number) => {
    for (const id of ids) {
      out.ids.push(id);
      out.lossMask.push(loss);
    }
  };
  for (const m of messages) {
    if (m.role === 'system') {
      const text = m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
      push([tokenizer.tokenId(ROLE_SYSTEM), ...tokenizer.encode(compressSystemPrompt(text))], 0);
      continue;
    }
    const own = m.role === 'assistant' ? 1 : 0;
    push([tokenizer.tokenId(m.role === 'assistant' ? ROLE_ASSISTANT : ROLE_USER)], 0);
    for (const part of m.content) {
      if (part.type === 'text') push(tokenizer.encode(part.text), own);
      else {
        const image = images[part.image];
        if (!image) throw new Error(`message refers to image ${part.image}, but only ${images.length} images were given`);
        push([tokenizer.imageId], 0);
        out.images.push(image);
      }
    }
  }
  if (opts.generationPrompt) push([tokenizer.tokenId(ROLE_ASSISTANT)], 0);
  return out;
}

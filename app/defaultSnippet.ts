/** The editor's starting code: crop the middle of the input image, print sizes, show it. */
export const DEFAULT_SNIPPET = `# image_clue_0 is the input image (a PIL-style Image).
# Ctrl+Enter (Cmd+Enter on a Mac) runs the code; variables survive between runs.
import matplotlib.pyplot as plt

w, h = image_clue_0.size
left, top = w // 4, h // 4
crop = image_clue_0.crop((left, top, left + w // 2, top + h // 2))
print("image size:", image_clue_0.size)
print("crop size:", crop.size)

plt.imshow(crop)
plt.title("middle of image_clue_0")
plt.show()
`;
